import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubbiSealer } from "../src/crypto/kubbi-sealer.js";
import type { KubbiEvent } from "../src/events/types.js";
import { Metrics } from "../src/metrics/metrics.js";
import { ACK_BATCH_SIZE, AckBatch } from "../src/webhooks/ack-batch.js";
import { compareIds, MemoryWebhookStore } from "../src/webhooks/memory-webhook-store.js";
import { OwnerDeliveries, READS_PER_TICK } from "../src/webhooks/owner-deliveries.js";
import { sealSecret } from "../src/webhooks/secret-sealing.js";
import { newWebhookSecret } from "../src/webhooks/signing.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const OWNER = "key_drain";
/** Events held per owner (owner-deliveries.ts QUEUE_LIMIT): one read asks for at most this many. */
const QUEUE_LIMIT = 100;

/** One fixed server key: enough to seal and open the endpoint's secret as the API does. */
const sealer = {
  current: () => ({ keyId: "k1", epoch: 1 }),
  epochKey: () => Buffer.alloc(32, 7),
} as unknown as KubbiSealer;

/** An owner's event log in memory, and a store over it that counts the reads and acknowledgements. */
function countingStore(log: KubbiEvent[]) {
  const store = new MemoryWebhookStore(async (_ownerId, afterId, limit) =>
    log.filter(({ id }) => afterId === null || compareIds(id, afterId) > 0).slice(0, limit),
  );
  /** reads: queue reads (taking over pending ones, or new ones); readEvents: the new events they handed out. */
  const counts = { reads: 0, readEvents: 0, acknowledgements: 0, acknowledged: 0 };
  const claimPending = store.claimPending.bind(store);
  // Counted once answered, so a count never runs ahead of what was handed out.
  store.claimPending = async (...args) => {
    const claimed = await claimPending(...args);
    counts.reads += 1;
    return claimed;
  };
  const readNew = store.readNew.bind(store);
  store.readNew = async (...args) => {
    const read = await readNew(...args);
    counts.reads += 1;
    counts.readEvents += read.deliveries.length;
    return read;
  };
  const acknowledge = store.acknowledge.bind(store);
  store.acknowledge = async (ownerId, eventIds) => {
    if (eventIds.length > 0) counts.acknowledgements += 1;
    counts.acknowledged += eventIds.length;
    return acknowledge(ownerId, eventIds);
  };
  return { store, counts };
}

/** count events after the endpoint was set, on `kubbis` kubbis taking turns, each kubbi's retrieval_count rising. */
function events(count: number, kubbis: number): KubbiEvent[] {
  const base = Date.now() + 60_000;
  return Array.from({ length: count }, (_, i) => ({
    id: `${base}-${i}`,
    type: "kubbi.claimed" as const,
    occurred_at: new Date().toISOString(),
    kubbi_id: `kubbi_${i % kubbis}`,
    key_id: OWNER,
    retrieval_count: Math.floor(i / kubbis),
    max_retrievals: null,
    retrievals_left: null,
    client: null,
  }));
}

describe("one owner's deliveries: draining a backlog, acknowledging in batches", () => {
  let receiver: WebhookReceiver;
  let deliveries: OwnerDeliveries | undefined;
  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await deliveries?.stop();
    await receiver.stop();
  });

  /** The endpoint is set on an empty log (a new queue starts at the log's end), then the backlog arrives. */
  async function deliveriesTo(store: MemoryWebhookStore, log: KubbiEvent[], backlog: KubbiEvent[]) {
    const secret = sealSecret(sealer, OWNER, newWebhookSecret(), Date.now());
    await store.setEndpoint(OWNER, { url: receiver.url, events: null, createdAt: 1, updatedAt: 1, ...secret });
    deliveries = new OwnerDeliveries(OWNER, {
      store,
      sealer,
      settings: { retryMs: 3_600_000, timeoutMs: 5_000, maxInFlight: 4, allowPrivate: true },
      logger: pino({ level: "silent" }),
      metrics: new Metrics(false),
      consumer: "test",
      now: () => Date.now(),
    });
    log.push(...backlog);
    return deliveries;
  }

  it("a backlog goes out after one tick, not one tick per read; every event once, in order per kubbi, over a few connections, acknowledged in fewer commands than deliveries", async () => {
    const log: KubbiEvent[] = [];
    const { store, counts } = countingStore(log);
    const owner = await deliveriesTo(store, log, events(600, 10));
    expect(await owner.poll()).toBe(true); // the only tick of this test
    await receiver.until((received) => received.length === log.length);
    expect(counts.reads).toBeGreaterThan(2);
    expect(new Set(receiver.delivered().map(({ id }) => id)).size).toBe(log.length);
    for (let kubbi = 0; kubbi < 10; kubbi++) {
      const order = receiver
        .delivered()
        .filter(({ data }) => data.kubbi_id === `kubbi_${kubbi}`)
        .map(({ data }) => data.retrieval_count);
      expect(order).toEqual([...Array(60).keys()]);
    }
    // Kept-alive connections: at most KUBBI_WEBHOOK_MAX_IN_FLIGHT while busy (a few more only if one idled out).
    expect(receiver.connections).toBeLessThan(log.length / 10);
    await owner.stop(); // acknowledges what is done
    expect(counts.acknowledged).toBe(log.length);
    expect(counts.acknowledgements).toBeLessThan(log.length);
    expect(await store.claimPending(OWNER, "test", "0-0", 10)).toMatchObject({ deliveries: [] });
  });

  it("one tick reads at most READS_PER_TICK times, so one owner's backlog cannot hold the worker; the next ticks go on", async () => {
    const log: KubbiEvent[] = [];
    const { store, counts } = countingStore(log);
    const owner = await deliveriesTo(store, log, events(READS_PER_TICK * QUEUE_LIMIT + 500, 50));
    // Each tick reads at most READS_PER_TICK times; what they read goes out, then nothing more until the next.
    let ticks = 0;
    while (receiver.received.length < log.length) {
      ticks += 1;
      const readsBefore = counts.reads;
      await owner.poll();
      await receiver.until(
        (received) =>
          received.length === counts.readEvents &&
          (counts.reads - readsBefore === READS_PER_TICK || received.length === log.length),
      );
      expect(counts.reads - readsBefore).toBeLessThanOrEqual(READS_PER_TICK);
    }
    expect(ticks).toBeGreaterThan(1);
    expect(new Set(receiver.delivered().map(({ id }) => id)).size).toBe(log.length);
  });
});

describe("acknowledging in batches", () => {
  it("sends a batch once ACK_BATCH_SIZE ids wait, the rest on flush, each id once and only ids added", async () => {
    const sent: string[][] = [];
    const batch = new AckBatch(
      async (ids) => {
        sent.push(ids);
      },
      () => {},
    );
    const ids = Array.from({ length: ACK_BATCH_SIZE * 2 + 7 }, (_, i) => `1-${i}`);
    for (const id of ids) batch.add(id);
    await batch.flush();
    expect(sent.map((ids) => ids.length)).toEqual([ACK_BATCH_SIZE, ACK_BATCH_SIZE, 7]);
    expect(sent.flat()).toEqual(ids);
  });

  it("reports a failed batch and goes on with the next (the failed ids stay pending for whoever delivers next)", async () => {
    const errors: string[] = [];
    const sent: string[][] = [];
    let fail = true;
    const batch = new AckBatch(
      async (ids) => {
        if (fail) throw new Error("connection lost");
        sent.push(ids);
      },
      (error) => errors.push(error.message),
    );
    batch.add("1-0");
    await batch.flush();
    fail = false;
    batch.add("1-1");
    await batch.flush();
    expect(errors).toEqual(["connection lost"]);
    expect(sent).toEqual([["1-1"]]);
  });
});
