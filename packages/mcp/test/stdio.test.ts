/** The built bin over stdio, driven by the MCP SDK's own client, against the live API. */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MCP_STDIO_TOOL_NAMES } from "@kubbi/test-utils";
import { KubbiClient } from "@kubbi.ai/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  BIN,
  callError,
  callOk,
  documentedRoundTrip,
  otherOriginsRefused,
  lastClaimRoundTrip,
  startCountingServer,
  strictArguments,
} from "./helpers.js";

const { baseUrl, apiKey } = inject("kubbi");

interface Connection {
  client: Client;
  /** Every message the server sent the client: responses and notifications alike. */
  received: JSONRPCMessage[];
  /** Transport errors, e.g. a stray non-protocol line on stdout. */
  transportErrors: Error[];
  stderr: () => string;
}

async function connect(
  env: Record<string, string>,
  options: { args?: string[]; clientRoots?: string[] } = {},
): Promise<Connection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...(options.args ?? [])],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const { clientRoots } = options;
  const client = new Client(
    { name: "kubbi-mcp-test", version: "0.0.0" },
    { capabilities: clientRoots ? { roots: {} } : {} },
  );
  if (clientRoots)
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: clientRoots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir })),
    }));
  const transportErrors: Error[] = [];
  client.onerror = (error) => transportErrors.push(error);
  await client.connect(transport);
  // Wrapped after connect, when the client has installed its own handler.
  const received: JSONRPCMessage[] = [];
  const deliver = transport.onmessage!;
  transport.onmessage = (message: JSONRPCMessage) => {
    received.push(message);
    deliver(message);
  };
  return { client, received, transportErrors, stderr: () => stderr };
}

/** stderr and stdout are separate pipes: the start-up line may be read after the first response. */
async function startupLine(connection: Connection): Promise<string> {
  for (let attempt = 0; attempt < 200 && !connection.stderr().includes("serving over stdio"); attempt++)
    await new Promise((done) => setTimeout(done, 50));
  return connection.stderr();
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("with an API key", () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await connect({ KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl });
    client = connection.client;
  });
  afterAll(() => client.close());

  it("lists the nine tools with strict camelCase schemas and the right annotations", async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(MCP_STDIO_TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      expect(tool.description?.length, tool.name).toBeGreaterThan(100);
    }
    expect(Object.keys(byName.get("kubbi_send")!.inputSchema.properties ?? {})).toEqual([
      "content",
      "contentType",
      "ttlSeconds",
      "maxRetrievals",
      "metadata",
    ]);
    expect(Object.keys(byName.get("kubbi_claim")!.inputSchema.properties ?? {})).toEqual(["claimUrl", "saveTo"]);
    const file = (
      byName.get("kubbi_send_files")!.inputSchema.properties as {
        files: { items: { properties: object; additionalProperties: boolean } };
      }
    ).files.items;
    expect(Object.keys(file.properties).sort()).toEqual(["content", "contentType", "encoding", "name", "path", "role"]);
    expect(file.additionalProperties).toBe(false);
    expect(byName.get("kubbi_inspect")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_get")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_list")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_claim")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("kubbi_delete")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("kubbi_claim")?.description).toMatch(/kubbi_inspect/);
    expect(byName.get("kubbi_claim")?.description).toMatch(/saveTo/);
    expect(byName.get("kubbi_send_files")?.description).toMatch(/base64/);
  });

  it("the documented calls get the TTL, retrievals and claimUrl they ask for; a third claim of maxRetrievals 2 is burned", async () => {
    await documentedRoundTrip(client, baseUrl);
  });

  it("refuses unknown and mistyped arguments with a did-you-mean tool error, creating nothing", async () => {
    await strictArguments(client);
  });

  it("logs to stderr only: stdout carries nothing but the protocol", async () => {
    expect(await startupLine(connection)).toContain(`serving over stdio for ${baseUrl}`);
    // A stray stdout line would surface here as a parse error of the transport.
    expect(connection.transportErrors).toEqual([]);
  });

  it("sends JSON as a parsed value, whether given as a value or as JSON text", async () => {
    for (const content of ['{"order": 7, "ok": true}', { order: 7, ok: true }]) {
      const sent = await callOk<{ claimUrl: string }>(client, "kubbi_send", {
        content,
        contentType: "application/json",
      });
      expect(await callOk(client, "kubbi_claim", { claimUrl: sent.claimUrl })).toMatchObject({
        contentType: "application/json",
        content: { order: 7, ok: true },
      });
    }
  });

  it("carries binary files as base64 and text files as text, byte for byte; only the claim shows sha256", async () => {
    const binary = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 0x89, 0x50, 0x4e, 0x47]);
    const sent = await callOk<{ claimUrl: string; files: unknown[] }>(client, "kubbi_send_files", {
      files: [
        { name: "README.md", content: "# héllo\n", contentType: "text/markdown", role: "instructions" },
        {
          name: "blob.bin",
          content: binary.toString("base64"),
          contentType: "application/octet-stream",
          encoding: "base64",
          role: "attachment",
        },
      ],
      maxRetrievals: 2,
    });
    const manifest = [
      {
        name: "README.md",
        contentType: "text/markdown",
        sizeBytes: Buffer.byteLength("# héllo\n"),
        role: "instructions",
      },
      { name: "blob.bin", contentType: "application/octet-stream", sizeBytes: binary.length, role: "attachment" },
    ];
    expect(sent.files).toEqual(manifest);
    expect(await callOk(client, "kubbi_inspect", { claimUrl: sent.claimUrl })).toMatchObject({
      type: "kubbi_package",
      fileCount: 2,
      remainingReads: 2,
      files: manifest,
    });

    const claimed = await callOk<{
      burned: boolean;
      files: { name: string; content: string; encoding: string | null; sha256: string }[];
    }>(client, "kubbi_claim", { claimUrl: sent.claimUrl });
    expect(claimed.burned).toBe(false);
    const [text, blob] = claimed.files;
    expect(text).toMatchObject({
      name: "README.md",
      content: "# héllo\n",
      encoding: null,
      sha256: sha256(Buffer.from("# héllo\n")),
    });
    expect(blob).toMatchObject({ name: "blob.bin", encoding: "base64", sha256: sha256(binary) });
    expect(Buffer.from(blob!.content, "base64")).toEqual(binary);
  });

  it("get, list and delete manage the key's kubbis; a deleted kubbi's claim says deleted", async () => {
    const sent = await callOk<{ id: string; claimUrl: string; createdAt: string; expiresAt: string }>(
      client,
      "kubbi_send",
      { content: "to be revoked", maxRetrievals: null },
    );
    // The default TTL: 1 hour.
    expect(Date.parse(sent.expiresAt) - Date.parse(sent.createdAt)).toBe(3_600_000);
    expect(await callOk(client, "kubbi_get", { id: sent.id })).toMatchObject({
      id: sent.id,
      status: "active",
      maxRetrievals: null,
      remainingReads: null,
      firstRetrievedAt: null,
    });

    const list = await callOk<{
      kubbis: { id: string }[];
      pagination: { page: number; limit: number; totalPages: number };
    }>(client, "kubbi_list", { limit: 100 });
    expect(list.pagination).toMatchObject({ page: 1, limit: 100 });
    expect(list.kubbis[0]?.id).toBe(sent.id); // newest first

    expect(await callOk(client, "kubbi_delete", { id: sent.id })).toEqual({ id: sent.id, status: "deleted" });
    expect(await callError(client, "kubbi_claim", { claimUrl: sent.claimUrl })).toMatchObject({
      code: "deleted",
      status: 410,
    });
    expect(await callOk(client, "kubbi_get", { id: sent.id })).toMatchObject({ status: "deleted" });
    expect(await callError(client, "kubbi_delete", { id: sent.id })).toMatchObject({ code: "conflict", status: 409 });
  });

  it("kubbi_get tells the last claim (when, address, user agent), the inspects, and whether it expired unclaimed", async () => {
    await lastClaimRoundTrip(client);
  });

  it("returns the API's validation messages as a tool error", async () => {
    const error = await callError(client, "kubbi_send", { content: "x", ttlSeconds: 999_999 });
    expect(error).toMatchObject({ code: "validation_error", status: 400 });
    expect(error.messages?.join(" ")).toMatch(/ttl_seconds/);
  });

  it("returns not_found for unknown claim URLs and ids", async () => {
    expect(await callError(client, "kubbi_inspect", { claimUrl: `${baseUrl}/r/${"A".repeat(43)}` })).toMatchObject({
      code: "not_found",
      status: 404,
    });
    expect(await callError(client, "kubbi_get", { id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      code: "not_found",
    });
  });

  it("refuses a claim URL on another host without contacting it", async () => {
    await otherOriginsRefused(client);
  });

  it("without roots, file paths are refused with a usage error that says how to allow them", async () => {
    const sent = await callOk<{ claimUrl: string }>(client, "kubbi_send", { content: "stays unclaimed" });
    const error = await callError(client, "kubbi_claim", {
      claimUrl: sent.claimUrl,
      saveTo: join(tmpdir(), "kubbi-nowhere"),
    });
    expect(error).toMatchObject({ code: "usage_error", message: expect.stringContaining("KUBBI_MCP_ROOTS") });
    expect(await callOk(client, "kubbi_inspect", { claimUrl: sent.claimUrl })).toMatchObject({
      status: "active",
      retrievalCount: 0,
    });
  });
});

describe("file paths: secrets that never enter the model's context", () => {
  let workspace: string;
  let outside: string;
  beforeAll(async () => {
    // Real paths: the server reports resolved paths, and tmpdir may itself be a symlink.
    workspace = await realpath(await mkdtemp(join(tmpdir(), "kubbi-mcp-root-")));
    outside = await realpath(await mkdtemp(join(tmpdir(), "kubbi-mcp-outside-")));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it("a canary sent with path and claimed with saveTo arrives byte-exact and is in no message the client receives", async () => {
    const canary = `CANARY-${randomBytes(16).toString("hex")}`;
    const secret = Buffer.concat([Buffer.from(`password=${canary}\n`), randomBytes(64)]);
    await writeFile(join(workspace, "secret.env"), secret);
    // The server gets the root on its command line; this client exposes no roots of its own.
    const { client, received, stderr } = await connect(
      { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl },
      { args: [workspace] },
    );
    try {
      const sent = await callOk<{ claimUrl: string; files: { name: string; sizeBytes: number }[] }>(
        client,
        "kubbi_send_files",
        {
          files: [
            {
              name: "secret.bin",
              path: join(workspace, "secret.env"),
              contentType: "application/octet-stream",
              role: "config",
            },
          ],
          ttlSeconds: 600,
        },
      );
      expect(sent.files).toEqual([
        { name: "secret.bin", contentType: "application/octet-stream", sizeBytes: secret.length, role: "config" },
      ]);

      const saved = await callOk<{
        savedTo: string;
        burned: boolean;
        files: { path: string; sha256: string; sizeBytes: number }[];
      }>(client, "kubbi_claim", {
        claimUrl: sent.claimUrl,
        saveTo: join(workspace, "received"),
      });
      expect(saved).toMatchObject({ savedTo: join(workspace, "received"), burned: true });
      expect(saved.files).toEqual([
        {
          name: "secret.bin",
          contentType: "application/octet-stream",
          sizeBytes: secret.length,
          role: "config",
          sha256: sha256(secret),
          path: join(workspace, "received", "secret.bin"),
        },
      ]);
      expect(await readFile(join(workspace, "received", "secret.bin"))).toEqual(secret);

      const everything = JSON.stringify(received);
      expect(received.length).toBeGreaterThanOrEqual(2);
      expect(everything).not.toContain(canary);
      expect(everything).not.toContain(secret.toString("base64").slice(0, 24));
      expect(stderr()).not.toContain(canary);
    } finally {
      await client.close();
    }
  });

  it("a single payload claimed with saveTo is written as content.txt, never returned", async () => {
    const { client, received } = await connect(
      { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl },
      { args: [workspace] },
    );
    try {
      const canary = `CANARY-${randomBytes(12).toString("hex")}`;
      const sent = await new KubbiClient({ apiKey, baseUrl }).send({
        content: canary,
        contentType: "text/plain",
        ttlSeconds: 600,
      });
      const before = received.length;
      const saved = await callOk<{ files: { name: string; path: string }[] }>(client, "kubbi_claim", {
        claimUrl: sent.claimUrl,
        saveTo: "single",
      });
      expect(saved.files.map((file) => file.path)).toEqual([join(workspace, "single", "content.txt")]);
      expect(await readFile(join(workspace, "single", "content.txt"), "utf8")).toBe(canary);
      expect(JSON.stringify(received.slice(before))).not.toContain(canary);
    } finally {
      await client.close();
    }
  });

  it("uses the client's roots when it has them, and refuses paths outside them, symlinks resolved, before claiming", async () => {
    const clientRoot = join(workspace, "client-root");
    await mkdir(clientRoot);
    await writeFile(join(outside, "outside.txt"), "not yours");
    await symlink(outside, join(clientRoot, "escape"));
    // The command-line root is the whole workspace, but the client's own roots win.
    const { client } = await connect(
      { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl },
      { args: [workspace], clientRoots: [clientRoot] },
    );
    try {
      const file = (path: string) => ({ files: [{ name: "x.txt", path, contentType: "text/plain" }] });
      for (const path of [
        join(outside, "outside.txt"),
        join(clientRoot, "escape", "outside.txt"),
        join(clientRoot, "..", "secret.env"),
        "/etc/hostname",
      ]) {
        expect(await callError(client, "kubbi_send_files", file(path)), path).toMatchObject({
          code: "usage_error",
          message: expect.stringContaining("outside the allowed roots"),
        });
      }

      const sent = await callOk<{ claimUrl: string }>(client, "kubbi_send", { content: "must stay claimable" });
      for (const saveTo of [
        join(outside, "dump"),
        join(clientRoot, "escape", "dump"),
        join(workspace, "not-a-client-root"),
      ]) {
        expect(await callError(client, "kubbi_claim", { claimUrl: sent.claimUrl, saveTo }), saveTo).toMatchObject({
          code: "usage_error",
          message: expect.stringContaining("outside the allowed roots"),
        });
      }
      // Refused before the claim: nothing was consumed, nothing written outside.
      expect(await callOk(client, "kubbi_inspect", { claimUrl: sent.claimUrl })).toMatchObject({
        status: "active",
        retrievalCount: 0,
      });
      expect(await readdir(outside)).toEqual(["outside.txt"]);

      for (const path of [join(clientRoot, "missing.txt"), clientRoot]) {
        expect(await callError(client, "kubbi_send_files", file(path)), path).toMatchObject({
          code: "usage_error",
          message: expect.stringContaining("not a regular file"),
        });
      }

      await writeFile(join(clientRoot, "inside.txt"), "inside");
      const inside = await callOk<{ claimUrl: string }>(
        client,
        "kubbi_send_files",
        file(join(clientRoot, "inside.txt")),
      );
      await callOk(client, "kubbi_claim", { claimUrl: inside.claimUrl, saveTo: join(clientRoot, "got") });
      expect(await readFile(join(clientRoot, "got", "x.txt"), "utf8")).toBe("inside");
    } finally {
      await client.close();
    }
  });

  it("a path with content, or encoding with a path, is an argument error", async () => {
    const { client } = await connect({ KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl }, { args: [workspace] });
    try {
      const both = await callError(client, "kubbi_send_files", {
        files: [{ name: "a", path: join(workspace, "secret.env"), content: "x", contentType: "text/plain" }],
      });
      expect(both).toMatchObject({
        code: "invalid_arguments",
        message: "files[0]: give exactly one of content and path",
      });
      const encoded = await callError(client, "kubbi_send_files", {
        files: [{ name: "a", path: join(workspace, "secret.env"), encoding: "base64", contentType: "text/plain" }],
      });
      expect(encoded.message).toBe("files[0].encoding: encoding describes content; a path is read as bytes");
    } finally {
      await client.close();
    }
  });
});

describe("without an API key", () => {
  let connection: Connection;
  beforeAll(async () => (connection = await connect({ KUBBI_BASE_URL: baseUrl })));
  afterAll(() => connection.client.close());

  it("still inspects and claims, and says why the producer tools fail", async () => {
    const { client } = connection;
    expect(await startupLine(connection)).toContain("no KUBBI_API_KEY");
    const sent = await new KubbiClient({ apiKey, baseUrl }).send({
      content: "for a keyless consumer",
      contentType: "text/plain",
      ttlSeconds: 600,
      maxRetrievals: 1,
    });

    expect(await callOk(client, "kubbi_inspect", { claimUrl: sent.claimUrl })).toMatchObject({ status: "active" });
    expect(await callOk(client, "kubbi_claim", { claimUrl: sent.claimUrl })).toMatchObject({
      content: "for a keyless consumer",
      burned: true,
    });

    const error = await callError(client, "kubbi_send", { content: "x" });
    expect(error).toMatchObject({ code: "usage_error", message: expect.stringContaining("KUBBI_API_KEY") });
  });
});

describe("the start-up banner", () => {
  it("says when a key goes to the hosted default, and not when a base URL is set", async () => {
    const hosted = await connect({ KUBBI_API_KEY: apiKey });
    const selfHosted = await connect({ KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl });
    try {
      expect(await startupLine(hosted)).toContain("using the hosted kubbi at https://api.kubbi.ai (the default)");
      expect(await startupLine(selfHosted)).not.toContain("the default");
    } finally {
      await Promise.all([hosted.client.close(), selfHosted.client.close()]);
    }
  });
});

describe("with a mistyped key", () => {
  it("says the key is not a kubbi API key (the API's own pattern) and never sends it", async () => {
    const counting = await startCountingServer();
    const { client } = await connect({ KUBBI_API_KEY: "kb_typo", KUBBI_BASE_URL: counting.origin });
    try {
      const error = await callError(client, "kubbi_list", {});
      expect(error).toMatchObject({
        code: "usage_error",
        message: expect.stringContaining("KUBBI_API_KEY is not a kubbi API key"),
      });
      expect(counting.hits()).toBe(0);
    } finally {
      await client.close();
      await counting.close();
    }
  });
});

describe("with a revoked or unknown key", () => {
  it("reports unauthorized as a tool error", async () => {
    const { client } = await connect({ KUBBI_API_KEY: `kb_${"x".repeat(43)}`, KUBBI_BASE_URL: baseUrl });
    try {
      expect(await callError(client, "kubbi_list", {})).toMatchObject({ code: "unauthorized", status: 401 });
    } finally {
      await client.close();
    }
  });
});
