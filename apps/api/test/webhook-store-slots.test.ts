import { describe, expect, it } from "vitest";
import { eventStreamKey } from "../src/store/keys.js";
import { RedisWebhookStore } from "../src/webhooks/redis-webhook-store.js";
import { slotsOf, useRecordingRedis } from "./support/recording-connection.js";

const OWNER = "key_wh_slots";

/**
 * Like store-slots.test.ts for the delivery queue: every command of the webhook store, acknowledging a
 * batch of deliveries included, touches one key or keys of one owner's hash tag (one cluster slot).
 */
describe("the webhook store never sends a batch that spans two cluster slots", () => {
  const { redis, batches } = useRecordingRedis();

  it("every method stays in one slot; a batch of sixty deliveries is acknowledged in one command", async () => {
    const store = new RedisWebhookStore(redis(), 5_000);
    await store.setEndpoint(OWNER, {
      url: "https://hooks.example.com/kubbi",
      events: null,
      createdAt: 1,
      updatedAt: 1,
      sealedSecret: Buffer.from("sealed"),
      keyId: "k1",
      epoch: 1,
    });
    expect(await store.getEndpoint(OWNER)).toMatchObject({ url: "https://hooks.example.com/kubbi" });
    expect(await store.ownersWithEndpoints()).toEqual([OWNER]);
    expect(await store.acquireLease(OWNER, "c1", 5_000)).toBe(true);
    expect(await store.renewLease(OWNER, "c1", 5_000)).toBe(true);
    for (let i = 0; i < 80; i++)
      await redis().xadd(eventStreamKey(OWNER), "*", "t", "kubbi.created", "k", `kubbi_${i}`, "at", Date.now(), "n", 0);
    const read = await store.readNew(OWNER, "c1", 60);
    expect(read).toMatchObject({ full: true });
    expect(read.deliveries).toHaveLength(60);
    // Another consumer takes the pending ones over (a process that died), then reads the rest.
    const claimed = await store.claimPending(OWNER, "c2", "0-0", 100);
    expect(claimed.deliveries).toHaveLength(60);
    expect(await store.readNew(OWNER, "c2", 60)).toMatchObject({ full: false });

    const beforeAck = batches.length;
    await store.acknowledge(
      OWNER,
      claimed.deliveries.map(({ event }) => event.id),
    );
    expect(batches.slice(beforeAck).map(({ commands }) => commands)).toEqual([["xack"]]);
    expect((await redis().xpending(eventStreamKey(OWNER), "webhooks"))[0]).toBe(20);

    await store.releaseLease(OWNER, "c1");
    expect(await store.deleteEndpoint(OWNER)).toBe(true);

    const keyed = batches.filter((batch) => batch.keys.length > 0);
    // The stream commands' keys were seen, so the check is not vacuous.
    const keyedCommands = new Set(keyed.flatMap(({ commands }) => commands));
    for (const command of ["xreadgroup", "xautoclaim", "xpending", "xack", "evalsha"])
      expect(keyedCommands, command).toContain(command);
    expect(keyed.filter((batch) => slotsOf(batch).size > 1)).toEqual([]);
  });
});
