import { makeServerKeys, startApi, startRedis, type RedisServer } from "@kubbi/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KeyRing } from "../src/crypto/keyring.js";
import { consumer, expectEnvelope, producer } from "./support/http.js";

describe("the key ring", () => {
  it("derives a new epoch key each rotation period, and any epoch of any ring key can be rebuilt", () => {
    const ring = KeyRing.parse(makeServerKeys("k2") + "," + makeServerKeys("k1"), 3600);
    const t0 = Date.UTC(2026, 0, 1);
    const first = ring.current(t0);
    const sameHour = ring.current(t0 + 3599_000);
    const nextHour = ring.current(t0 + 3600_000);
    expect(first.keyId).toBe("k2");
    expect(sameHour).toEqual(first);
    expect(nextHour.epoch).toBe(first.epoch + 1);
    expect(ring.epochKey(first)!.equals(ring.epochKey(nextHour)!)).toBe(false);
    expect(ring.epochKey({ keyId: "k1", epoch: first.epoch })!.equals(ring.epochKey(first)!)).toBe(false);
    expect(ring.epochKey({ keyId: "gone", epoch: first.epoch })).toBeUndefined();
  });

  it.each([
    ["a key that is not 32 bytes", `k1:${Buffer.alloc(16).toString("base64")}`],
    ["a missing id", Buffer.alloc(32).toString("base64")],
    ["a duplicate id", `${makeServerKeys("k1")},${makeServerKeys("k1")}`],
    ["nothing", " , "],
  ])("refuses %s", (_name, spec) => {
    expect(() => KeyRing.parse(spec, 3600)).toThrow();
  });
});

describe("server keys across restarts on one Redis", () => {
  let redis: RedisServer;
  const k1 = makeServerKeys("k1");
  const k2 = makeServerKeys("k2");
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("after rotating to a new active key, kubbis sealed under the old one stay claimable; new ones use the new key", async () => {
    const before = await startApi({ redisUrl: redis.url, serverKeys: k1 });
    const old = await producer(before.baseUrl, before.apiKey).create({
      content: "sealed under k1",
      content_type: "text/plain",
      ttl_seconds: 600,
    });
    await before.stop();

    const after = await startApi({ redisUrl: redis.url, serverKeys: `${k2},${k1}`, apiKey: before.apiKey });
    try {
      const fresh = await producer(after.baseUrl, after.apiKey).create({
        content: "sealed under k2",
        content_type: "text/plain",
        ttl_seconds: 600,
      });
      const db = new Redis(redis.url);
      const keyIds = await Promise.all((await db.keys("kb:*:m")).map((key) => db.hget(key, "kid")));
      db.disconnect();
      expect(keyIds.sort()).toEqual(["k1", "k2"]);
      expect((await consumer.claim(`${after.baseUrl}/r/${old.body.claim_token}`)).body.content).toBe("sealed under k1");
      expect((await consumer.claim(`${after.baseUrl}/r/${fresh.body.claim_token}`)).body.content).toBe(
        "sealed under k2",
      );
    } finally {
      await after.stop();
    }
  });

  it("a decrypt failure is a clear 500 that consumes nothing: the count and the burn are rolled back", async () => {
    const owner = await startApi({ redisUrl: redis.url, serverKeys: k1 });
    const created = await producer(owner.baseUrl, owner.apiKey).create({
      content: "needs k1",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 1,
      metadata: { sealed: true },
    });
    await owner.stop();

    // An operator drops k1 from the ring too early.
    const misconfigured = await startApi({ redisUrl: redis.url, serverKeys: k2, apiKey: owner.apiKey });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const reply = await consumer.claim(`${misconfigured.baseUrl}/r/${created.body.claim_token}`);
        expectEnvelope(reply, 500, "decrypt_failed");
        expect(JSON.stringify(reply.body)).not.toContain("needs k1");
      }
      // The producer's view still answers: the kubbi, flagged, without the info no key here can open.
      const detail = await producer(misconfigured.baseUrl, owner.apiKey).get(created.body.id);
      expect(detail.body).toMatchObject({
        status: "active",
        retrieval_count: 0,
        metadata: null,
        sealed_with_unknown_key: true,
      });
      await vi.waitFor(() => expect(misconfigured.output()).toMatch(/"code":"decrypt_failed","key_id":"k1"/), {
        timeout: 10_000,
      });
    } finally {
      await misconfigured.stop();
    }

    const fixed = await startApi({ redisUrl: redis.url, serverKeys: `${k2},${k1}`, apiKey: owner.apiKey });
    try {
      const detail = await producer(fixed.baseUrl, owner.apiKey).get(created.body.id);
      expect(detail.body).toMatchObject({
        status: "active",
        retrieval_count: 0,
        first_retrieved_at: null,
        last_retrieved_at: null,
      });
      const claimed = await consumer.claim(`${fixed.baseUrl}/r/${created.body.claim_token}`);
      expect(claimed.body).toMatchObject({ content: "needs k1", burned: true, retrieval_count: 1 });
    } finally {
      await fixed.stop();
    }
  });

  it("a kubbi sealed under a server key that left the ring is a flagged row without its info: the list never fails, the log names the key id", async () => {
    const owner = await startApi({ redisUrl: redis.url, serverKeys: k1 });
    const oldProducer = producer(owner.baseUrl, owner.apiKey);
    const old = await oldProducer.create({
      files: [{ name: "sealed-under-k1.txt", content: "x", content_type: "text/plain" }],
      metadata: { note: "k1 era" },
      ttl_seconds: 600,
    });
    expect(old.status).toBe(201);
    await owner.stop();

    // Restarted with a ring that no longer holds k1 (retired too early).
    const restarted = await startApi({ redisUrl: redis.url, serverKeys: k2, apiKey: owner.apiKey });
    try {
      const current = producer(restarted.baseUrl, owner.apiKey);
      const fresh = await current.create({
        content: "under k2",
        content_type: "text/plain",
        ttl_seconds: 600,
        metadata: { note: "k2 era" },
      });
      const page = await current.list("?limit=100");
      expect(page.status).toBe(200);
      const rows = new Map(page.body.kubbis.map((row: { id: string }) => [row.id, row]));
      expect(rows.get(old.body.id)).toMatchObject({
        type: "kubbi_package",
        status: "active",
        file_count: 1,
        metadata: null,
        files: null,
        sealed_with_unknown_key: true,
      });
      expect(rows.get(fresh.body.id)).toMatchObject({ metadata: { note: "k2 era" }, sealed_with_unknown_key: false });
      expect((await current.get(old.body.id)).body).toMatchObject({
        metadata: null,
        files: null,
        sealed_with_unknown_key: true,
      });
      expectEnvelope(await consumer.claim(`${restarted.baseUrl}/r/${old.body.claim_token}`), 500, "decrypt_failed");

      // The operator learns which key is missing, and never a key itself.
      await vi.waitFor(() => expect(restarted.output()).toMatch(/"key_id":"k1".*listed without metadata or files/), {
        timeout: 10_000,
      });
      await vi.waitFor(() => expect(restarted.output()).toMatch(/"code":"decrypt_failed","key_id":"k1"/), {
        timeout: 10_000,
      });
      for (const secret of [k1, k2].map((entry) => entry.slice(entry.indexOf(":") + 1)))
        expect(restarted.output()).not.toContain(secret);
    } finally {
      await restarted.stop();
    }
  });
});
