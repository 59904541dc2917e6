import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumer, expectEnvelope, producer } from "./support/http.js";
import { STORE_KINDS, dumpRedis, useStack } from "./support/stacks.js";

describe.each(STORE_KINDS)("idempotent creates on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  const body = { content: "exactly once", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 1 };

  it("a replay with the same key and body returns the same kubbi, and only one exists", async () => {
    const key = randomUUID();
    const totalBefore = (await stack.producer.list()).body.pagination.total;
    const first = await stack.producer.create(body, { "idempotency-key": key });
    const replay = await stack.producer.create(body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    expect((await stack.producer.list()).body.pagination.total).toBe(totalBefore + 1);
    expect((await consumer.claim(replay.body.claim_url)).body.content).toBe("exactly once");
  });

  it("the same key with a different body is 422 idempotency_key_reused", async () => {
    const key = randomUUID();
    await stack.producer.create(body, { "idempotency-key": key });
    expectEnvelope(await stack.producer.create({ ...body, content: "something else" }, { "idempotency-key": key }), 422, "idempotency_key_reused");
  });

  it("keys are scoped to the API key: another producer's same key makes its own kubbi", async () => {
    const key = randomUUID();
    const mine = await stack.producer.create(body, { "idempotency-key": key });
    const theirs = await producer(stack.api.baseUrl, stack.api.secondApiKey).create(body, { "idempotency-key": key });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it("concurrent requests with one key make one kubbi; the others replay it or are told to retry", async () => {
    const key = randomUUID();
    const totalBefore = (await stack.producer.list()).body.pagination.total;
    const replies = await Promise.all(Array.from({ length: 12 }, () => stack.producer.create(body, { "idempotency-key": key })));
    const created = replies.filter((reply) => reply.status === 201);
    const busy = replies.filter((reply) => reply.status === 409);
    expect(created.length + busy.length).toBe(12);
    expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
    busy.forEach((reply) => expectEnvelope(reply, 409, "idempotency_in_progress"));
    expect((await stack.producer.list()).body.pagination.total).toBe(totalBefore + 1);
  });

  it("a failed request releases its key, so a corrected retry can use it", async () => {
    const key = randomUUID();
    expectEnvelope(await stack.producer.create({ ...body, ttl_seconds: 10 ** 9 }, { "idempotency-key": key }), 400, "validation_error");
    expect((await stack.producer.create(body, { "idempotency-key": key })).status).toBe(201);
  });

  it("a malformed key is a validation error", async () => {
    expectEnvelope(await stack.producer.create(body, { "idempotency-key": "x".repeat(256) }), 400, "validation_error");
  });

  it("the stored replay is sealed: Redis holds neither the claim token nor the idempotency key", async () => {
    if (!stack.db) return;
    const key = `order-${randomUUID()}`;
    const created = await stack.producer.create(body, { "idempotency-key": key });
    for (const entry of await dumpRedis(stack.db)) {
      const haystack = Buffer.concat([Buffer.from(entry.key), entry.bytes]);
      expect(haystack.includes(Buffer.from(created.body.claim_token))).toBe(false);
      expect(haystack.includes(Buffer.from(key))).toBe(false);
    }
  });
});
