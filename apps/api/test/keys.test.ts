import { spawn } from "node:child_process";
import { API_ENTRY, makeServerKeys, startApi, startRedis, waitForOutput, type RedisServer } from "@kubbi/test-utils";
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
    const old = await producer(before.baseUrl, before.apiKey).create({ content: "sealed under k1", content_type: "text/plain", ttl_seconds: 600 });
    await before.stop();

    const after = await startApi({ redisUrl: redis.url, serverKeys: `${k2},${k1}`, apiKey: before.apiKey });
    try {
      const fresh = await producer(after.baseUrl, after.apiKey).create({ content: "sealed under k2", content_type: "text/plain", ttl_seconds: 600 });
      const db = new Redis(redis.url);
      const keyIds = await Promise.all((await db.keys("kb:*:m")).map((key) => db.hget(key, "kid")));
      db.disconnect();
      expect(keyIds.sort()).toEqual(["k1", "k2"]);
      expect((await consumer.claim(`${after.baseUrl}/r/${old.body.claim_token}`)).body.content).toBe("sealed under k1");
      expect((await consumer.claim(`${after.baseUrl}/r/${fresh.body.claim_token}`)).body.content).toBe("sealed under k2");
    } finally {
      await after.stop();
    }
  });

  it("a decrypt failure is a clear 500 that consumes nothing: the count and the burn are rolled back", async () => {
    const owner = await startApi({ redisUrl: redis.url, serverKeys: k1 });
    const created = await producer(owner.baseUrl, owner.apiKey).create({ content: "needs k1", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 1, metadata: { sealed: true } });
    await owner.stop();

    // An operator drops k1 from the ring too early.
    const misconfigured = await startApi({ redisUrl: redis.url, serverKeys: k2, apiKey: owner.apiKey });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const reply = await consumer.claim(`${misconfigured.baseUrl}/r/${created.body.claim_token}`);
        expectEnvelope(reply, 500, "decrypt_failed");
        expect(JSON.stringify(reply.body)).not.toContain("needs k1");
      }
      expectEnvelope(await producer(misconfigured.baseUrl, owner.apiKey).get(created.body.id), 500, "decrypt_failed");
    } finally {
      await misconfigured.stop();
    }

    const fixed = await startApi({ redisUrl: redis.url, serverKeys: `${k2},${k1}`, apiKey: owner.apiKey });
    try {
      const detail = await producer(fixed.baseUrl, owner.apiKey).get(created.body.id);
      expect(detail.body).toMatchObject({ status: "active", retrieval_count: 0, first_retrieved_at: null, last_retrieved_at: null });
      const claimed = await consumer.claim(`${fixed.baseUrl}/r/${created.body.claim_token}`);
      expect(claimed.body).toMatchObject({ content: "needs k1", burned: true, retrieval_count: 1 });
    } finally {
      await fixed.stop();
    }
  });
});

describe("start-up modes", () => {
  it("production mode refuses to start without KUBBI_KEYS", async () => {
    const child = spawn(process.execPath, [API_ENTRY], { env: { PATH: process.env.PATH!, PORT: "0", KUBBI_MODE: "production" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await new Promise((done) => child.on("exit", done));
    expect(code).toBe(1);
    expect(output).toContain("KUBBI_KEYS is required in production mode");
  });

  it.each([
    ["a port that is not a number", { PORT: "not-a-port" }, "PORT"],
    ["a public URL with a path", { KUBBI_PUBLIC_URL: "https://example.com/kubbi" }, "KUBBI_PUBLIC_URL: must be an http(s) origin with no path"],
    ["a public URL that is not http(s)", { KUBBI_PUBLIC_URL: "ftp://example.com" }, "KUBBI_PUBLIC_URL"],
    ["a minimum TTL above the maximum", { KUBBI_MIN_TTL_SECONDS: "100", KUBBI_MAX_TTL_SECONDS: "50" }, "KUBBI_MIN_TTL_SECONDS exceeds KUBBI_MAX_TTL_SECONDS"],
  ])("refuses %s with a clear message", async (_name, env, message) => {
    const child = spawn(process.execPath, [API_ENTRY], { env: { PATH: process.env.PATH!, KUBBI_KEYS: makeServerKeys(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr.on("data", (chunk) => (output += chunk));
    expect(await new Promise((done) => child.on("exit", done))).toBe(1);
    expect(output).toContain(message);
  });

  it("development mode generates a throwaway key, says so, and prints a working API key", async () => {
    const child = spawn(process.execPath, [API_ENTRY, "--dev"], { env: { PATH: process.env.PATH!, PORT: "0", HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      // The key goes to stderr and the listening line to stdout; read both from one start.
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      await waitForOutput(child, /dev API key/, "dev API");
      await vi.waitFor(() => expect(output).toMatch(/"msg":"listening on/), { timeout: 10_000 });
      const apiKey = output.match(/dev API key[^:]*: (kb_[A-Za-z0-9_-]+)/)![1];
      const url = output.match(/"msg":"listening on (http:\/\/[^"]+)"/)![1];
      expect(output).toContain("development mode: generated a throwaway encryption key");
      expect(output).toContain("using the in-process store");
      const created = await producer(url!, apiKey!).create({ content: "dev", content_type: "text/plain", ttl_seconds: 60 });
      expect(created.status).toBe(201);
      expect(created.body.claim_url).toMatch(/^http:\/\/localhost:\d+\/r\//);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
