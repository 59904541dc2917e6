/**
 * kubbi_request / kubbi_receive over stdio (the built bin, the MCP SDK's own client, the live API on Redis):
 * the user's delivery lands on disk and never in a message the client (the model's host) receives.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fulfil } from "@kubbi.ai/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, callError, callOk } from "./helpers.js";

const { baseUrl, apiKey } = inject("kubbi");

describe("kubbi_request and kubbi_receive (stdio)", () => {
  let workspace: string;
  let client: Client;
  const received: JSONRPCMessage[] = [];

  beforeAll(async () => {
    workspace = await realpath(await mkdtemp(join(tmpdir(), "kubbi-mcp-request-")));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, workspace],
      env: { PATH: process.env.PATH ?? "", KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl },
      stderr: "pipe",
    });
    client = new Client({ name: "kubbi-mcp-request-test", version: "0" });
    await client.connect(transport);
    const deliver = transport.onmessage!;
    transport.onmessage = (message: JSONRPCMessage) => {
      received.push(message);
      deliver(message);
    };
  });
  afterAll(async () => {
    await client.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("the user fills the link; kubbi_receive writes the secret to saveTo and no message carries it", async () => {
    const asked = await callOk<{ requestId: string; fillUrl: string; instructions: string }>(client, "kubbi_request", {
      description: "the staging DB password",
      requestTtlSeconds: 600,
    });
    expect(asked.fillUrl).toMatch(new RegExp(`^${baseUrl}/f/[A-Za-z0-9_-]{43}#k=[A-Za-z0-9_-]{43}$`));
    expect(
      await callOk(client, "kubbi_receive", { requestId: asked.requestId, saveTo: "not-yet", waitSeconds: 0 }),
    ).toEqual({ requestId: asked.requestId, status: "open" });

    const canary = `CANARY-${randomBytes(16).toString("hex")}`;
    await fulfil(asked.fillUrl, { content: canary });
    const saved = await callOk<{ status: string; savedTo: string; files: Array<{ name: string; path: string }> }>(
      client,
      "kubbi_receive",
      { requestId: asked.requestId, saveTo: "db-password" },
    );
    expect(saved).toMatchObject({
      status: "fulfilled",
      savedTo: join(workspace, "db-password"),
      files: [{ name: "content.txt", path: join(workspace, "db-password", "content.txt") }],
    });
    expect(await readFile(join(workspace, "db-password", "content.txt"), "utf8")).toBe(canary);
    expect(JSON.stringify(received)).not.toContain(canary);
  });

  it("files arrive byte-exact; the private key is in no message either", async () => {
    const asked = await callOk<{ requestId: string; fillUrl: string }>(client, "kubbi_request", {
      description: "the TLS key",
      kind: "files",
      maxFiles: 1,
    });
    const key = randomBytes(512);
    await fulfil(asked.fillUrl, { files: [{ name: "tls.key", content: key }] });
    const saved = await callOk<{ files: Array<{ path: string; sizeBytes: number }> }>(client, "kubbi_receive", {
      requestId: asked.requestId,
      saveTo: join(workspace, "tls"),
    });
    expect((await readFile(saved.files[0]!.path)).equals(key)).toBe(true);
    expect(JSON.stringify(received)).not.toMatch(/"d":"|privateKey/);
  });

  it("strict arguments; an unknown request id and a saveTo outside the roots are usage errors", async () => {
    expect(await callError(client, "kubbi_request", { description: "x", privateKey: "mine" })).toMatchObject({
      code: "invalid_arguments",
    });
    expect(await callError(client, "kubbi_receive", { requestId: "nope", saveTo: "x" })).toMatchObject({
      code: "usage_error",
    });
    const asked = await callOk<{ requestId: string }>(client, "kubbi_request", { description: "x" });
    expect(
      await callError(client, "kubbi_receive", {
        requestId: asked.requestId,
        saveTo: "/etc/kubbi-out",
        waitSeconds: 0,
      }),
    ).toMatchObject({ code: "usage_error", message: expect.stringContaining("outside the allowed roots") });
  });
});
