/**
 * /mcp runs the tools in-process over the services, behind the same producer chain as REST: each test here
 * attacks one of REST's limits through /mcp (it used to read 16 MiB per request with no limit at all).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { MCP_TOOL_NAMES, makeApiKey } from "@kubbi/test-utils";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { call, consumer, expectEnvelope, producer, type Reply } from "./support/http.js";
import { splitPost } from "./support/split-post.js";
import { STORE_KINDS, useStack } from "./support/stacks.js";

async function connect(baseUrl: string, apiKey: string): Promise<Client> {
  const client = new Client({ name: "kubbi-api-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
    }),
  );
  return client;
}

const structured = (result: unknown) => (result as CallToolResult).structuredContent as Record<string, any>;
const toolErrorOf = (result: unknown) =>
  JSON.parse(((result as CallToolResult).content[0] as { text: string }).text).error as Record<string, any>;

const toolsCall = (name: string, args: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name, arguments: args },
});
const mcpHeaders = (apiKey: string) => ({
  authorization: `Bearer ${apiKey}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
});

/** One JSON-RPC message POSTed to /mcp, as any stateless client sends it. */
const mcpPost = (baseUrl: string, apiKey: string, message: unknown): Promise<Reply> =>
  call(`${baseUrl}/mcp`, { method: "POST", headers: mcpHeaders(apiKey), body: JSON.stringify(message) });

/**
 * The rate counter admits a hit while a batch flush is in flight (issue 9 item 16, fixed separately);
 * once a flush has landed after the limit was crossed, every later hit in the window is refused.
 */
const flushLanded = () => sleep(300);

/** Rate windows are fixed minutes: start a test that counts hits early in one, so it never straddles two. */
async function startOfFreshWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await sleep(left + 100);
}

describe.each(STORE_KINDS)("MCP over Streamable HTTP at /mcp on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it("lists the seven tools with their annotations", async () => {
    const client = await connect(stack.api.baseUrl, stack.api.apiKey);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(MCP_TOOL_NAMES);
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName.kubbi_inspect!.annotations?.readOnlyHint).toBe(true);
    expect(byName.kubbi_get!.annotations?.readOnlyHint).toBe(true);
    expect(byName.kubbi_claim!.annotations?.destructiveHint).toBe(true);
    expect(byName.kubbi_delete!.annotations?.destructiveHint).toBe(true);
    await client.close();
  });

  it("send, inspect, claim, then claim again is a gone tool error; REST sees the same kubbi", async () => {
    const client = await connect(stack.api.baseUrl, stack.api.apiKey);
    const sent = structured(
      await client.callTool({
        name: "kubbi_send",
        arguments: { content: "from an agent", ttlSeconds: 600, maxRetrievals: 1 },
      }),
    );
    expect(sent.claimUrl).toMatch(new RegExp(`^${stack.api.baseUrl}/r/`));
    const inspected = structured(
      await client.callTool({ name: "kubbi_inspect", arguments: { claimUrl: sent.claimUrl } }),
    );
    expect(inspected).toMatchObject({ status: "active", retrievalCount: 0 });
    const claimed = structured(await client.callTool({ name: "kubbi_claim", arguments: { claimUrl: sent.claimUrl } }));
    expect(claimed).toMatchObject({ content: "from an agent", burned: true });
    const again = await client.callTool({ name: "kubbi_claim", arguments: { claimUrl: sent.claimUrl } });
    expect(again.isError).toBe(true);
    expect(toolErrorOf(again)).toMatchObject({ code: "burned", status: 410 });
    // The producer sees the retrieval through the REST API too.
    expect((await stack.producer.get(sent.id)).body).toMatchObject({ status: "burned", retrieval_count: 1 });
    await client.close();
  });

  it("refuses a missing or unknown key with 401 and the error envelope", async () => {
    for (const headers of [{}, { authorization: "Bearer kb_" + "x".repeat(43) }] as Array<Record<string, string>>) {
      const reply = await call(`${stack.api.baseUrl}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expectEnvelope(reply, 401, "unauthorized");
      expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });
});

describe("/mcp under a small plan: REST's body limit, rate limit and consumer rules apply", () => {
  const [bodyKey, rateKey, consumerKey] = [makeApiKey(), makeApiKey(), makeApiKey()];
  const stack = useStack("redis", {
    apiKey: bodyKey,
    env: {
      KUBBI_API_KEYS: [bodyKey, rateKey, consumerKey].join(","),
      KUBBI_MAX_KUBBI_BYTES: "1000",
      KUBBI_RATE_LIMIT_PER_MINUTE: "6",
      KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "3",
    },
  });

  it("a key whose plan allows 1,000 bytes cannot make /mcp read 2 MB: 413 before the body is buffered, chunked or not", async () => {
    await startOfFreshWindow();
    const twoMegabytes = JSON.stringify(toolsCall("kubbi_send", { content: "x".repeat(2_000_000) }));
    const sized = await call(`${stack.api.baseUrl}/mcp`, {
      method: "POST",
      headers: mcpHeaders(bodyKey),
      body: twoMegabytes,
    });
    expectEnvelope(sized, 413, "payload_too_large");

    const chunked = await call(`${stack.api.baseUrl}/mcp`, {
      method: "POST",
      headers: mcpHeaders(bodyKey),
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(twoMegabytes));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expectEnvelope(chunked, 413, "payload_too_large");

    // Under the body limit but over the plan's bytes: the services refuse it, as a tool error.
    const overPlan = await mcpPost(stack.api.baseUrl, bodyKey, toolsCall("kubbi_send", { content: "y".repeat(1500) }));
    expect(overPlan.status).toBe(200);
    expect(overPlan.body.result.isError).toBe(true);
    expect(JSON.parse(overPlan.body.result.content[0].text).error).toMatchObject({
      code: "payload_too_large",
      status: 413,
    });
    expect((await producer(stack.api.baseUrl, bodyKey).list()).body.pagination.total).toBe(0);
  }, 60_000);

  it("the key's rate limit counts each /mcp call once, and refuses the one over it with 429 and Retry-After", async () => {
    await startOfFreshWindow();
    let served = 0;
    let limited: Reply | undefined;
    // A loopback /mcp counted each tool call twice (its own request and the REST call it made): 3 of 6 passed.
    for (let attempt = 0; attempt < 12 && !limited; attempt++) {
      const reply = await mcpPost(stack.api.baseUrl, rateKey, toolsCall("kubbi_list", { limit: 1 }));
      if (reply.status === 429) limited = reply;
      else {
        expect(reply.status).toBe(200);
        expect(reply.body.result.structuredContent.pagination).toMatchObject({ page: 1, limit: 1 });
        served++;
      }
    }
    // At least the plan's 6 (the in-process counter may admit a hit more while a flush is in flight).
    expect(served).toBeGreaterThanOrEqual(6);
    expectEnvelope(limited!, 429, "rate_limited");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // One bucket for the key, whichever door it uses.
    await flushLanded();
    expectEnvelope(await producer(stack.api.baseUrl, rateKey).list(), 429, "rate_limited");
  }, 60_000);

  it("inspect and claim through /mcp obey the consumer limit of /r/*, and a limited claim consumes nothing", async () => {
    await startOfFreshWindow();
    const created = await producer(stack.api.baseUrl, consumerKey).create({
      content: "limited",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 5,
    });
    expect(created.status).toBe(201);
    const statuses: number[] = [];
    while (statuses.length < 10 && statuses.at(-1) !== 429)
      statuses.push((await consumer.inspect(created.body.claim_url)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    await flushLanded();

    for (const name of ["kubbi_inspect", "kubbi_claim"]) {
      const reply = await mcpPost(
        stack.api.baseUrl,
        consumerKey,
        toolsCall(name, { claimUrl: created.body.claim_url }),
      );
      expect(reply.status, name).toBe(200);
      expect(JSON.parse(reply.body.result.content[0].text).error, name).toMatchObject({
        code: "rate_limited",
        status: 429,
      });
    }
    expect((await producer(stack.api.baseUrl, consumerKey).get(created.body.id)).body).toMatchObject({
      status: "active",
      retrieval_count: 0,
    });
  }, 60_000);
});

describe("/mcp in-process, on a server that cannot reach its own public URL", () => {
  const publicUrl = "https://kubbi.invalid";
  const stack = useStack("redis", { env: { KUBBI_PUBLIC_URL: publicUrl, KUBBI_MAX_CONCURRENT_LARGE_BODIES: "1" } });

  it("sends, inspects and claims without calling out: claim URLs name the public origin", async () => {
    const client = await connect(stack.api.baseUrl, stack.api.apiKey);
    try {
      const sent = structured(
        await client.callTool({ name: "kubbi_send", arguments: { content: "no loopback", maxRetrievals: 2 } }),
      );
      expect(sent.claimUrl.startsWith(`${publicUrl}/r/`)).toBe(true);
      expect(
        structured(await client.callTool({ name: "kubbi_inspect", arguments: { claimUrl: sent.claimUrl } })),
      ).toMatchObject({ remainingReads: 2 });
      expect(
        structured(await client.callTool({ name: "kubbi_claim", arguments: { claimUrl: sent.claimUrl } })),
      ).toMatchObject({ content: "no loopback", burned: false });
      // Only this API's claim URLs: the listener's own address is not a claim origin.
      const local = await client.callTool({
        name: "kubbi_claim",
        arguments: { claimUrl: `${stack.api.baseUrl}/r/${sent.claimUrl.split("/r/")[1]}` },
      });
      expect(toolErrorOf(local)).toMatchObject({ code: "origin_not_allowed" });
    } finally {
      await client.close();
    }
  });

  it("answers Host and Origin of the public URL and of its own listener, and refuses others (DNS rebinding)", async () => {
    const port = new URL(stack.api.baseUrl).port;
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
    };
    const post = async (headers: Record<string, string>) =>
      (
        await splitPost(
          `${stack.api.baseUrl}/mcp`,
          { ...mcpHeaders(stack.api.apiKey), ...headers },
          JSON.stringify(initialize),
        ).response
      ).status;
    expect(await post({ host: "kubbi.invalid", origin: publicUrl })).toBe(200);
    expect(await post({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(await post({ host: `attacker.example:${port}` })).toBe(403);
    expect(await post({ host: "kubbi.invalid", origin: "https://attacker.example" })).toBe(403);
  });

  /** A large create via REST or /mcp; with `stall`, only half the body is sent until `finish` is called. */
  function startLarge(via: "rest" | "mcp", stall: boolean) {
    const file = {
      name: "large.bin",
      content: Buffer.alloc(2 * 1024 * 1024, 1).toString("base64"),
      encoding: "base64",
    };
    const body =
      via === "rest"
        ? JSON.stringify({ files: [{ ...file, content_type: "application/octet-stream" }], ttl_seconds: 60 })
        : JSON.stringify(
            toolsCall("kubbi_send_files", {
              files: [{ ...file, contentType: "application/octet-stream" }],
              ttlSeconds: 60,
            }),
          );
    const path = via === "rest" ? "/api/v1/kubbis" : "/mcp";
    const post = splitPost(
      `${stack.api.baseUrl}${path}`,
      mcpHeaders(stack.api.apiKey),
      body,
      stall ? Math.floor(body.length / 2) : body.length,
    );
    return { done: post.response.then(({ status }) => status), finish: post.finish };
  }

  it.each([
    ["a stalled /mcp body holds the large-body slot: a large REST create waits for it", "mcp", "rest"],
    ["a large /mcp body waits for the slot a stalled REST create holds", "rest", "mcp"],
  ] as const)("%s", async (_title, stalledVia, waitingVia) => {
    const completed: string[] = [];
    const stalled = startLarge(stalledVia, true);
    await sleep(200);
    const waiting = startLarge(waitingVia, false);
    void stalled.done.then(() => completed.push("stalled"));
    void waiting.done.then(() => completed.push("waiting"));
    // Ungated, the complete second body would be answered while the first is still stalled.
    await sleep(500);
    expect(completed).toEqual([]);
    stalled.finish();
    expect(await stalled.done).toBe(stalledVia === "rest" ? 201 : 200);
    expect(await waiting.done).toBe(waitingVia === "rest" ? 201 : 200);
    expect(completed).toEqual(["stalled", "waiting"]);
  });
});
