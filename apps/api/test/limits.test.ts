import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { consumer, expectEnvelope } from "./support/http.js";
import { STORE_KINDS, storedByRequests, useStack } from "./support/stacks.js";

const PLAN = {
  KUBBI_MAX_FILES: "3",
  KUBBI_MAX_KUBBI_BYTES: "2048",
  KUBBI_MAX_ACTIVE_KUBBIS: "4",
  KUBBI_RATE_LIMIT_PER_MINUTE: "1000",
};

describe.each(STORE_KINDS)("plan limits on the %s store", (storeKind) => {
  const stack = useStack(storeKind, { env: PLAN });

  const files = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ name: `f${index}.txt`, content: "x", content_type: "text/plain" }));

  it("more files than the plan allows is 413 file_limit_exceeded", async () => {
    expect((await stack.producer.create({ files: files(3), ttl_seconds: 60 })).status).toBe(201);
    const reply = await stack.producer.create({ files: files(4), ttl_seconds: 60 });
    expectEnvelope(reply, 413, "file_limit_exceeded");
    expect(reply.body.message).toContain("at most 3 files");
    await stack.producer.remove((await stack.producer.list()).body.kubbis[0].id);
  });

  it("a payload over the plan's bytes is 413 payload_too_large, counted in decoded bytes", async () => {
    expectEnvelope(
      await stack.producer.create({ content: "y".repeat(2049), content_type: "text/plain", ttl_seconds: 60 }),
      413,
      "payload_too_large",
    );
    const binary = Buffer.alloc(2049, 7).toString("base64");
    expectEnvelope(
      await stack.producer.create({
        files: [{ name: "b.bin", content: binary, content_type: "application/octet-stream", encoding: "base64" }],
        ttl_seconds: 60,
      }),
      413,
      "payload_too_large",
    );
    // Exactly at the limit is fine, even though its base64 form is longer than the limit.
    const atLimit = await stack.producer.create({
      files: [
        {
          name: "b.bin",
          content: Buffer.alloc(2048, 7).toString("base64"),
          content_type: "application/octet-stream",
          encoding: "base64",
        },
      ],
      ttl_seconds: 60,
    });
    expect(atLimit.status).toBe(201);
    await stack.producer.remove(atLimit.body.id);
  });

  it("a body over the limit is refused with 413 before it is buffered whole", async () => {
    const url = new URL(`${stack.api.baseUrl}/api/v1/kubbis`);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${stack.api.apiKey}`,
            "content-type": "application/json",
            "content-length": String(50 * 1024 * 1024),
          },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on("error", reject);
      // Only a sliver of the announced 50 MiB is ever sent: a server that waited for it would never answer.
      req.write('{"content":"');
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ error: "payload_too_large" });
  });

  it("a chunked body (no Content-Length) over the limit is cut off with 413", async () => {
    const limit = Math.ceil((2048 * 4) / 3) + 64 * 1024;
    const oversized = JSON.stringify({
      content: "z".repeat(limit + 1024),
      content_type: "text/plain",
      ttl_seconds: 60,
    });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(oversized));
        controller.close();
      },
    });
    const response = await fetch(`${stack.api.baseUrl}/api/v1/kubbis`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.apiKey}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("the cap on active kubbis is 429 quota_exceeded, and deleting or burning frees a slot", async () => {
    const created = [];
    for (let i = 0; i < 4; i++)
      created.push(
        await stack.producer.create({
          content: `slot ${i}`,
          content_type: "text/plain",
          ttl_seconds: 60,
          max_retrievals: 1,
        }),
      );
    expect(created.every((reply) => reply.status === 201)).toBe(true);
    const refused = await stack.producer.create({
      content: "one too many",
      content_type: "text/plain",
      ttl_seconds: 60,
    });
    expectEnvelope(refused, 429, "quota_exceeded");
    expect((await stack.producer.list()).body.pagination.total).toBeGreaterThanOrEqual(4);

    await stack.producer.remove(created[0]!.body.id);
    expect(
      (await stack.producer.create({ content: "after delete", content_type: "text/plain", ttl_seconds: 60 })).status,
    ).toBe(201);
    expectEnvelope(
      await stack.producer.create({ content: "full again", content_type: "text/plain", ttl_seconds: 60 }),
      429,
      "quota_exceeded",
    );
    await consumer.claim(created[1]!.body.claim_url); // burns
    expect(
      (await stack.producer.create({ content: "after burn", content_type: "text/plain", ttl_seconds: 60 })).status,
    ).toBe(201);
  });

  it("a rejected create stores nothing", async () => {
    if (!stack.db) return;
    const before = (await storedByRequests(stack.db)).map((entry) => entry.key).sort();
    await stack.producer.create({ files: files(4), ttl_seconds: 60 });
    await stack.producer.create({ content: "y".repeat(4000), content_type: "text/plain", ttl_seconds: 60 });
    await stack.producer.create({ content: "quota", content_type: "text/plain", ttl_seconds: 60 });
    const after = (await storedByRequests(stack.db)).map((entry) => entry.key).sort();
    expect(after).toEqual(before);
  });
});

/**
 * Rate limits count in fixed one-minute windows of the API's clock (this machine's): a test whose
 * requests straddled a window boundary would see the count restart. Starting early in a window
 * leaves the test's few requests most of a minute, however slow the machine is.
 */
async function startOfAFreshWindow(): Promise<void> {
  const intoWindowMs = Date.now() % 60_000;
  if (intoWindowMs > 40_000) await sleep(60_000 - intoWindowMs + 50);
}

describe.each(STORE_KINDS)("rate limits on the %s store", (storeKind) => {
  const stack = useStack(storeKind, {
    env: { KUBBI_RATE_LIMIT_PER_MINUTE: "5", KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "6" },
  });

  it("a key over its request rate gets 429 rate_limited with Retry-After; another key is unaffected", {
    timeout: 60_000,
  }, async () => {
    await startOfAFreshWindow();
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push(await stack.producer.list());
    expect(replies.slice(0, 5).every((reply) => reply.status === 200)).toBe(true);
    const limited = replies[5]!;
    expectEnvelope(limited, 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const other = await fetch(`${stack.api.baseUrl}/api/v1/kubbis`, {
      headers: { authorization: `Bearer ${stack.api.secondApiKey}` },
    });
    expect(other.status).toBe(200);
  });

  it("consumer routes are limited per client address, and a limited claim consumes nothing", {
    timeout: 60_000,
  }, async () => {
    await startOfAFreshWindow();
    const other = await fetch(`${stack.api.baseUrl}/api/v1/kubbis`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.secondApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "limited", content_type: "text/plain", ttl_seconds: 60, max_retrievals: 100 }),
    }).then((response) => response.json() as Promise<{ id: string; claim_url: string }>);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await consumer.inspect(other.claim_url)).status);
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const limitedClaim = await consumer.claim(other.claim_url);
    expectEnvelope(limitedClaim, 429, "rate_limited");
    expect(limitedClaim.headers.get("retry-after")).toMatch(/^\d+$/);
    const detail = await fetch(`${stack.api.baseUrl}/api/v1/kubbis/${other.id}`, {
      headers: { authorization: `Bearer ${stack.api.secondApiKey}` },
    }).then((response) => response.json() as Promise<{ retrieval_count: number }>);
    expect(detail.retrieval_count).toBe(0);
  });
});
