import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../src/store/redis.js";
import { RedisRequestStore } from "../src/store/requests/redis-request-store.js";
import type { RequestRecord } from "../src/store/requests/request-store.js";
import { newKubbiRecord, type NewKubbi } from "../src/store/store.js";
import { RECORDING_STORE_OPTIONS, slotsOf, useRecordingRedis } from "./support/recording-connection.js";

const consumerClient = { address: "203.0.113.7", userAgent: "slots-test" };

function newKubbi(n: number, nowMs: number, maxRetrievals: number | null, ownerId = "key_slots"): NewKubbi {
  const record = newKubbiRecord({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    tokenHash: `tokenhash${String(n).padStart(13, "0")}`,
    ownerId,
    kind: "single",
    contentType: "text/plain",
    fileCount: 0,
    totalSizeBytes: 5,
    maxRetrievals,
    createdAt: nowMs,
    expiresAt: nowMs + 60_000,
    keyId: "k1",
    epoch: 1,
    sealedInfo: Buffer.from("sealed-info"),
  });
  return { record, sealedPayload: Buffer.from("sealed"), retentionMs: 60_000, maxActiveKubbis: 3 };
}

function newRequest(n: number, nowMs: number): RequestRecord {
  return {
    id: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
    fillHash: `fillhash${String(n).padStart(14, "0")}`,
    ownerId: "key_slots",
    requesterName: "slots",
    plan: { maxFiles: 5, maxKubbiBytes: 1024, maxActiveKubbis: 3, ratePerMinute: 600 },
    status: "open",
    description: "a request",
    wanted: { kind: "content", maxFiles: 1, maxBytes: 1024 },
    publicKey: "pk",
    kubbiTtlSeconds: 60,
    kubbiMaxRetrievals: 1,
    createdAt: nowMs,
    expiresAt: nowMs + 60_000,
    kubbiId: null,
    sealedClaimToken: null,
    fulfilledAt: null,
  };
}

/**
 * Redis Cluster refuses a command or batch whose keys live in two slots (CROSSSLOT) or on two nodes.
 * This drives every store method on a real single Redis, records what it sends, and computes each key's
 * slot with the function ioredis uses: no cluster needs to run for a regression to fail here.
 */
describe("the Redis store never sends a batch that spans two cluster slots", () => {
  const { redis, batches } = useRecordingRedis();
  let store: RedisStore;
  beforeAll(() => {
    store = new RedisStore(redis(), RECORDING_STORE_OPTIONS);
  });
  afterAll(() => store.close());

  it("every batch of every store and request-store method stays in one slot; a create and a burning claim are one command each", async () => {
    const now = Date.now();
    expect(await store.create(newKubbi(1, now, 1), now)).toBe("created"); // connects and loads the script
    const beforeCreates = batches.length;
    for (let n = 2; n <= 3; n++) expect(await store.create(newKubbi(n, now, 1), now)).toBe("created");
    expect(batches.length - beforeCreates).toBe(2); // one Redis: a create is one script (the owner's keys named in it)
    // The cap is reached; burning one kubbi frees its place on the next create (the gone-kubbi check).
    expect(await store.create(newKubbi(4, now, 1), now)).toBe("quota_exceeded");
    const beforeClaim = batches.length;
    const claimed = await store.claim(newKubbi(1, now, 1).record.tokenHash, now, consumerClient);
    expect(claimed).toMatchObject({ kind: "claimed", burned: true });
    expect(batches.length - beforeClaim).toBe(1); // one round trip, including the burn
    expect(await store.create(newKubbi(5, now, 1), now)).toBe("created");
    if (claimed.kind === "claimed") await store.restoreClaim(claimed, now);
    // A payload over the caller's limit is reported in the same one script, and nothing is claimed.
    const beforeTooLarge = batches.length;
    expect(await store.claim(newKubbi(2, now, 1).record.tokenHash, now, consumerClient, 4)).toEqual({
      kind: "too_large",
    });
    expect(batches.length - beforeTooLarge).toBe(1);
    await store.inspect(newKubbi(2, now, 1).record.tokenHash, now);
    expect(await store.findByTokenHash(newKubbi(2, now, 1).record.tokenHash, now)).toMatchObject({
      status: "active",
      retrievalCount: 0,
    });
    await store.findById("key_slots", newKubbi(2, now, 1).record.id, now);
    expect(await store.delete(newKubbi(2, now, 1).record.tokenHash, "key_slots", now)).toBe("ok");
    expect((await store.listByOwner("key_slots", 0, 10, now)).records.length).toBeGreaterThan(0);
    await store.sweepOwnerIndexes(["key_slots", "key_other"], now + 10 * 60_000);
    await store.expireDue(["key_slots", "key_other"], now + 10 * 60_000);
    expect((await store.readOwnerEvents("key_slots", null, 100)).events.length).toBeGreaterThan(0);
    expect((await store.readKubbiEvents("key_slots", newKubbi(1, now, 1).record.id)).events.length).toBeGreaterThan(0);
    store.hitRateLimit("key:key_slots", 10, 60_000, now);
    await store.saveApiKey("f".repeat(64), { id: "key_x", name: "x", createdAt: now, revokedAt: null, plan: {} });
    await store.listApiKeys();
    expect(await store.listApiKeyIds()).toContain("key_x");
    await store.revokeApiKey("key_x", now);
    expect(await store.beginIdempotent("key_slots:a", 1000, now)).toEqual({ state: "started" });
    await store.completeIdempotent("key_slots:a", Buffer.from("done"), 1000, now);
    await store.beginIdempotent("key_slots:b", 1000, now);
    await store.abandonIdempotent("key_slots:b");
    await store.ping();

    // Request links share the connection: every step stays in the request's (or its owner's) slot.
    const requests = new RedisRequestStore(redis(), { commandTimeoutMs: 5000, waitReplicas: 0, waitTimeoutMs: 0 });
    const [first, second] = [newRequest(1, now), newRequest(2, now)];
    const takenBy = (kubbiId: string) => ({ kubbiId, sealedClaimToken: "sealed-claim-token" });
    for (const request of [first, second]) await requests.create(request, 60_000);
    expect(await requests.findById("key_slots", first.id)).toMatchObject({ fillHash: first.fillHash, status: "open" });
    expect(await requests.beginFill(first.fillHash, takenBy("kubbi-1"), now)).toBe("ok");
    await requests.abortFill(first.fillHash, "kubbi-1");
    expect(await requests.beginFill(first.fillHash, takenBy("kubbi-2"), now)).toBe("ok");
    await requests.finishFill(first.fillHash);
    expect(await requests.findByFillHash(first.fillHash)).toMatchObject({ status: "fulfilled", kubbiId: "kubbi-2" });
    expect(await requests.cancel(second.fillHash, "key_slots", now)).toBe("ok");
    expect(batches.some((batch) => batch.keys.some((key) => key.startsWith("rq:")))).toBe(true);

    await store.close(); // flushes the rate counter

    const keyed = batches.filter((batch) => batch.keys.length > 0);
    expect(keyed.some((batch) => batch.keys.length >= 3)).toBe(true); // multi-key scripts were seen, so the check is not vacuous
    const crossing = keyed.filter((batch) => slotsOf(batch).size > 1);
    expect(crossing).toEqual([]);
  });
});
