/**
 * The kubbi API's /mcp endpoint (the built API on Redis, which mounts this package's HTTP handler over its
 * in-process services), driven by the MCP SDK's Streamable HTTP client.
 */
import { request } from "node:http";
import { MCP_TOOL_NAMES } from "@kubbi/test-utils";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  callError,
  callOk,
  documentedRoundTrip,
  lastClaimRoundTrip,
  otherOriginsRefused,
  strictArguments,
} from "./helpers.js";

const { baseUrl, apiKey, secondApiKey } = inject("kubbi");
const endpoint = `${baseUrl}/mcp`;

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: "kubbi-mcp-http-test", version: "0.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

/** A raw POST with node:http, which (unlike fetch) lets the test choose the Host header. */
function rawPost(
  headers: Record<string, string>,
  body: unknown = initialize,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("MCP over Streamable HTTP at the API's /mcp", () => {
  let client: Client;
  beforeAll(async () => (client = await connect(apiKey)));
  afterAll(() => client.close());

  it("the documented calls get the TTL, retrievals and claimUrl they ask for; a third claim of maxRetrievals 2 is burned", async () => {
    await documentedRoundTrip(client, baseUrl);
  });

  it("kubbi_get tells the last claim (when, address, user agent), the inspects, and whether it expired unclaimed", async () => {
    await lastClaimRoundTrip(client);
  });

  it("refuses unknown and mistyped arguments with a did-you-mean tool error, creating nothing", async () => {
    await strictArguments(client);
  });

  it("offers no file paths: no saveTo or path in any schema, the descriptions say so, and saveTo is refused as unknown", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(MCP_TOOL_NAMES);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(JSON.stringify(tools.map((tool) => tool.inputSchema))).not.toMatch(/"saveTo"|"path"/);
    for (const name of ["kubbi_claim", "kubbi_send_files"])
      expect(byName.get(name)?.description).toContain("never reads or writes files on your machine");

    const sent = await callOk<{ claimUrl: string }>(client, "kubbi_send", { content: "not to disk" });
    const refused = await callError(client, "kubbi_claim", { claimUrl: sent.claimUrl, saveTo: "/tmp/x" });
    expect(refused).toMatchObject({
      code: "invalid_arguments",
      message: expect.stringMatching(/^unknown argument saveTo/),
    });
    const withPath = await callError(client, "kubbi_send_files", {
      files: [{ name: "a", path: "/etc/passwd", contentType: "text/plain" }],
    });
    expect(withPath.message).toContain("unknown argument files[0].path");
    expect(await callOk(client, "kubbi_inspect", { claimUrl: sent.claimUrl })).toMatchObject({ retrievalCount: 0 });
  });

  it("serves each request with the caller's own key", async () => {
    const second = await connect(secondApiKey);
    try {
      const sent = await callOk<{ id: string }>(client, "kubbi_send", { content: "first key's" });
      expect(await callOk(client, "kubbi_get", { id: sent.id })).toMatchObject({ id: sent.id });
      expect(await callError(second, "kubbi_get", { id: sent.id })).toMatchObject({ code: "not_found", status: 404 });
      expect(await callError(second, "kubbi_delete", { id: sent.id })).toMatchObject({ code: "not_found" });
    } finally {
      await second.close();
    }
  });

  it("only claims URLs of its own API: never a proxy to other hosts", async () => {
    await otherOriginsRefused(client);
  });
});

describe("the /mcp endpoint itself", () => {
  it("answers 401 with a Bearer challenge and the error envelope to a missing, malformed or unknown key", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer nope" },
      { authorization: `Basic ${apiKey}` },
      { authorization: `Bearer kb_${"x".repeat(43)}` },
    ];
    for (const headers of attempts) {
      const response = await rawPost(headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(JSON.parse(response.text)).toMatchObject({ error: "unauthorized", messages: [] });
    }
    await expect(connect(`kb_${"x".repeat(43)}`)).rejects.toThrow(/unauthorized/);
  });

  it("is stateless: GET and DELETE are 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(endpoint, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
  });

  it("refuses DNS rebinding: a foreign Host or Origin is 403, the API's own are served", async () => {
    const auth = { authorization: `Bearer ${apiKey}` };
    const { host, origin } = new URL(baseUrl);
    const port = new URL(baseUrl).port;
    // A page on attacker.example whose name was rebound to this server's address.
    const rebound = await rawPost({ ...auth, host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.text).toContain("Invalid Host header");
    const foreignOrigin = await rawPost({ ...auth, origin: "http://attacker.example" });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.text).toContain("Invalid Origin header");

    expect((await rawPost({ ...auth, host })).status).toBe(200);
    expect((await rawPost({ ...auth, host, origin })).status).toBe(200);
    expect((await rawPost({ ...auth, host: `localhost:${port}` })).status).toBe(200);
  });
});
