/**
 * The HTTP handler from the built dist, mounted on a plain node:http server in front of the live API,
 * driven by the MCP SDK's Streamable HTTP client.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DIST } from "./helpers.js";
import type * as HttpEntry from "../src/http.js";
import { callError, callOk, sendInspectClaimTwice, startCountingServer } from "./helpers.js";

// The built bundle is what runs; its types are the source's.
const { createMcpHttpHandler } = (await import(DIST.http)) as typeof HttpEntry;
type McpHttpHandlerOptions = HttpEntry.McpHttpHandlerOptions;

const { baseUrl, apiKey, secondApiKey } = inject("kubbi");

/** Mounts the handler at /mcp; `parseJson` plays an upstream body parser such as express.json. */
async function mount(options: McpHttpHandlerOptions, parseJson: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const handler = createMcpHttpHandler(options);
  const server: Server = createServer(async (req: IncomingMessage & { body?: unknown }, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== "/mcp") {
      res.statusCode = 404;
      return res.end();
    }
    if (parseJson && req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      req.body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    }
    await handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

async function connect(url: string, key: string): Promise<Client> {
  const client = new Client({ name: "kubbi-mcp-http-test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

function rawPost(url: string, headers: Record<string, string>, body: unknown = initialize): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

for (const parseJson of [false, true]) {
  describe(parseJson ? "behind a JSON body parser" : "reading the raw body itself", () => {
    let endpoint: Awaited<ReturnType<typeof mount>>;
    beforeAll(async () => (endpoint = await mount(parseJson ? { baseUrl } : { baseUrl: () => baseUrl }, parseJson)));
    afterAll(() => endpoint.close());

    it("send → inspect → claim → a second claim is a burned tool error", async () => {
      const client = await connect(endpoint.url, apiKey);
      try {
        expect((await client.listTools()).tools).toHaveLength(7);
        await sendInspectClaimTwice(client, baseUrl);
      } finally {
        await client.close();
      }
    });
  });
}

describe("authentication and isolation", () => {
  let endpoint: Awaited<ReturnType<typeof mount>>;
  beforeAll(async () => (endpoint = await mount({ baseUrl }, false)));
  afterAll(() => endpoint.close());

  it("answers 401 with a Bearer challenge to a missing, malformed or unknown key", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${apiKey}` }, { authorization: `Bearer kb_${"x".repeat(43)}` }];
    for (const headers of attempts) {
      const response = await rawPost(endpoint.url, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ error: "unauthorized", messages: [] });
    }
    await expect(connect(endpoint.url, `kb_${"x".repeat(43)}`)).rejects.toThrow();
  });

  it("answers a live key, and refuses tools/call without one", async () => {
    expect((await rawPost(endpoint.url, { authorization: `Bearer ${apiKey}` })).status).toBe(200);
    const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "kubbi_list", arguments: {} } };
    expect((await rawPost(endpoint.url, {}, call)).status).toBe(401);
  });

  it("serves each request with the caller's own key", async () => {
    const first = await connect(endpoint.url, apiKey);
    const second = await connect(endpoint.url, secondApiKey);
    try {
      const sent = await callOk<{ id: string }>(first, "kubbi_send", { content: "first key's" });
      expect(await callOk(first, "kubbi_get", { id: sent.id })).toMatchObject({ id: sent.id });
      expect(await callError(second, "kubbi_get", { id: sent.id })).toMatchObject({ code: "not_found", status: 404 });
      expect(await callError(second, "kubbi_delete", { id: sent.id })).toMatchObject({ code: "not_found" });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("only claims URLs of its own API: never a proxy to other hosts", async () => {
    const elsewhere = await startCountingServer();
    const client = await connect(endpoint.url, apiKey);
    try {
      expect(await callError(client, "kubbi_claim", { claim_url: `${elsewhere.origin}/r/${"A".repeat(43)}` })).toMatchObject({ code: "origin_not_allowed" });
      expect(elsewhere.hits()).toBe(0);
    } finally {
      await Promise.all([client.close(), elsewhere.close()]);
    }
  });

  it("is stateless: GET and DELETE are 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(endpoint.url, { method, headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
  });

  it("answers 500 without details when the key check itself fails", async () => {
    const broken = await mount(
      {
        baseUrl,
        verifyApiKey: () => {
          throw new Error("store unreachable at redis://secret-host");
        },
      },
      false,
    );
    try {
      const response = await rawPost(broken.url, { authorization: `Bearer ${apiKey}` });
      expect(response.status).toBe(500);
      expect(await response.text()).not.toMatch(/secret-host/);
    } finally {
      await broken.close();
    }
  });

  it("uses verifyApiKey when given, without asking the API", async () => {
    const checked: string[] = [];
    const strict = await mount(
      {
        baseUrl,
        verifyApiKey: (key) => {
          checked.push(key);
          return key === secondApiKey;
        },
      },
      false,
    );
    try {
      expect((await rawPost(strict.url, { authorization: `Bearer ${apiKey}` })).status).toBe(401);
      expect((await rawPost(strict.url, { authorization: `Bearer ${secondApiKey}` })).status).toBe(200);
      expect(checked).toEqual([apiKey, secondApiKey]);
    } finally {
      await strict.close();
    }
  });
});
