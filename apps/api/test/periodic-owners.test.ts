import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expiryCursorKey, expiryKey, listKey } from "../src/store/keys.js";
import { newKubbiRecord } from "../src/store/store.js";
import { OWNERS_AT_ONCE, RedisStore } from "../src/store/redis.js";
import { RECORDING_STORE_OPTIONS, useRecordingRedis } from "./support/recording-connection.js";

const OWNERS = 40;
const ownerIds = Array.from({ length: OWNERS }, (_, n) => `key_periodic_${n}`);

/**
 * The index sweep and the expiry check run in every API process, every minute and every second, over
 * every API key ever made: their cost must not grow by a round trip in a row per key.
 */
describe("the periodic jobs over many API keys", () => {
  const { redis, batches } = useRecordingRedis();
  let store: RedisStore;
  beforeAll(() => {
    store = new RedisStore(redis(), { ...RECORDING_STORE_OPTIONS, eventRetentionMs: 60_000 });
  });
  afterAll(() => store.close());

  it("read every stored key's id in one command, however many keys there are", async () => {
    for (const [n, id] of ownerIds.entries()) {
      await store.saveApiKey(n.toString(16).padStart(64, "0"), {
        id,
        name: id,
        createdAt: 0,
        revokedAt: n % 2 === 0 ? 1 : null, // revoked keys' kubbis are looked after too
        plan: {},
      });
    }
    const before = batches.length;
    const ids = await store.listApiKeyIds();
    expect(batches.slice(before).map((batch) => batch.commands)).toEqual([["hkeys"]]);
    expect(ids.sort()).toEqual([...ownerIds].sort());
  });

  it("work on a few owners at a time: neither one round trip after another per key, nor every key at once", async () => {
    const connection = redis();
    let inFlight = 0;
    let mostInFlight = 0;
    const send = connection.sendCommand.bind(connection);
    connection.sendCommand = ((command: Command, stream?: unknown) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      void command.promise.finally(() => (inFlight -= 1)).catch(() => undefined);
      return send(command, stream as never);
    }) as typeof connection.sendCommand;
    try {
      const before = batches.length;
      await store.expireDue(ownerIds, Date.now());
      const cursorsRead = batches
        .slice(before)
        .filter((batch) => batch.keys.length === 2 && batch.keys[1]!.endsWith(":ec"))
        .map((batch) => batch.keys);
      // Every owner's due kubbis were looked for, each in its owner's slot.
      expect(cursorsRead.sort()).toEqual(ownerIds.map((id) => [expiryKey(id), expiryCursorKey(id)]).sort());
      expect(mostInFlight).toBe(OWNERS_AT_ONCE);

      mostInFlight = 0;
      await store.sweepOwnerIndexes(ownerIds, Date.now());
      expect(mostInFlight).toBe(OWNERS_AT_ONCE);
    } finally {
      connection.sendCommand = send;
    }
  });

  it("take turns: the first process to ask runs the job for the time it asked, the others skip until then", async () => {
    expect(await store.takeTurn("expiry-check", 60_000)).toBe(true);
    expect(await store.takeTurn("expiry-check", 60_000)).toBe(false); // another process, the same interval
    expect(await store.takeTurn("index-sweep", 60_000)).toBe(true); // each job has its own turn
    expect(await store.takeTurn("index-sweep", 60_000)).toBe(false);
    await redis().del("job:{expiry-check}:turn", "job:{index-sweep}:turn");
    expect(await store.takeTurn("expiry-check", 1)).toBe(true);
    await sleep(20); // the 1 ms turn has ended
    expect(await store.takeTurn("expiry-check", 60_000)).toBe(true);
  });

  it("a list page drops its owner's purged entries itself, without waiting for the sweep", async () => {
    const ownerId = "key_listed";
    const createdAt = Date.now();
    const record = newKubbiRecord({
      id: "00000000-0000-4000-8000-00000000a11d",
      tokenHash: "listedtokenhash0000001",
      ownerId,
      kind: "single",
      contentType: "text/plain",
      fileCount: 0,
      totalSizeBytes: 4,
      maxRetrievals: 1,
      createdAt,
      expiresAt: createdAt + 1000,
      keyId: "k1",
      epoch: 1,
      sealedInfo: Buffer.alloc(0),
    });
    const created = await store.create(
      {
        record,
        sealedPayload: Buffer.from("data"),
        retentionMs: RECORDING_STORE_OPTIONS.retentionMs,
        maxActiveKubbis: 10,
      },
      createdAt,
    );
    expect(created).toBe("created");
    expect((await store.listByOwner(ownerId, 0, 10, createdAt)).total).toBe(1);
    // Past expiry + retention (the store's clock is the caller's): the page's own trim empties the index.
    const purgedAt = record.expiresAt + RECORDING_STORE_OPTIONS.retentionMs + 1;
    expect(await store.listByOwner(ownerId, 0, 10, purgedAt)).toEqual({ total: 0, records: [] });
    expect(await redis().zcard(listKey(ownerId))).toBe(0);
  });
});
