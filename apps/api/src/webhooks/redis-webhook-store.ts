import type { RedisClient } from "../store/redis-connection.js";
import { withDeadline } from "../store/redis-connection.js";
import { entryToEvent, eventJson } from "../events/codec.js";
import type { EventType, KubbiEvent } from "../events/types.js";
import { eventStreamKey } from "../store/keys.js";
import type { StoredEndpoint } from "./endpoint.js";
import { RELEASE_LEASE, RENEW_LEASE } from "./lease-scripts.js";
import type { WebhookStore } from "./webhook-store.js";

/** The consumer group every API process reads owners' event streams with (EVENTS.md). */
export const WEBHOOK_GROUP = "webhooks";
/**
 * Keys, each in its owner's hash tag except the registry (one key, one slot):
 *   own:{ownerId}:wh   hash    the endpoint: u url, ev types ('*' = all), s sealed secret, kid, ep, c, up
 *   own:{ownerId}:whl  string  the delivery lease: the consumer delivering this owner's events
 *   wh:owners          set     owner ids with an endpoint
 */
export const endpointKey = (ownerId: string) => `own:{${ownerId}}:wh`;
export const leaseKey = (ownerId: string) => `own:{${ownerId}}:whl`;
export const WEBHOOK_OWNERS = "wh:owners";

type StreamEntry = [id: string, fields: string[] | null];
type ScriptRunner = (key: string, ...args: string[]) => Promise<number>;

/**
 * The deliveries among read entries. An entry with nothing to deliver (trimmed while pending, or a type this
 * version does not know) is acknowledged here, so it can never hold the owner's queue.
 */
async function deliverable(
  store: RedisWebhookStore,
  ownerId: string,
  entries: StreamEntry[],
): Promise<Array<{ id: string; event: KubbiEvent }>> {
  const decoded = entries.map(([id, fields]) => {
    const event = fields === null ? null : entryToEvent(ownerId, id, fields);
    return { id, event: event && eventJson(event) };
  });
  await store.acknowledge(
    ownerId,
    decoded.filter(({ event }) => event === null).map(({ id }) => id),
  );
  return decoded.filter((entry): entry is { id: string; event: KubbiEvent } => entry.event !== null);
}

export class RedisWebhookStore implements WebhookStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly commandTimeoutMs: number,
  ) {
    for (const { name, numberOfKeys, lua } of [RENEW_LEASE, RELEASE_LEASE])
      redis.defineCommand(name, { numberOfKeys, lua });
  }

  private bounded<T>(pending: Promise<T>): Promise<T> {
    return withDeadline(pending, this.commandTimeoutMs);
  }

  private script(name: string): ScriptRunner {
    const command = (this.redis as unknown as Record<string, ScriptRunner>)[name]!;
    return (...args) => this.bounded(command.apply(this.redis, args));
  }

  async getEndpoint(ownerId: string): Promise<StoredEndpoint | null> {
    const hash = await this.bounded(this.redis.hgetallBuffer(endpointKey(ownerId)));
    if (!hash.u) return null;
    const text = (field: string) => hash[field]?.toString("utf8") ?? "";
    return {
      url: text("u"),
      events: text("ev") === "*" ? null : (text("ev").split(",").filter(Boolean) as EventType[]),
      createdAt: Number(text("c")),
      updatedAt: Number(text("up")),
      sealedSecret: hash.s ?? Buffer.alloc(0),
      keyId: text("kid"),
      epoch: Number(text("ep")),
    };
  }

  /** The group first, then the endpoint, then the registry: the worker never finds an owner without a queue. */
  async setEndpoint(ownerId: string, endpoint: StoredEndpoint): Promise<void> {
    try {
      await this.bounded(this.redis.xgroup("CREATE", eventStreamKey(ownerId), WEBHOOK_GROUP, "$", "MKSTREAM"));
    } catch (error) {
      if (!(error as Error).message.startsWith("BUSYGROUP")) throw error;
    }
    await this.bounded(
      this.redis.hset(endpointKey(ownerId), {
        u: endpoint.url,
        ev: endpoint.events === null ? "*" : endpoint.events.join(","),
        s: endpoint.sealedSecret,
        kid: endpoint.keyId,
        ep: String(endpoint.epoch),
        c: String(endpoint.createdAt),
        up: String(endpoint.updatedAt),
      }),
    );
    await this.bounded(this.redis.sadd(WEBHOOK_OWNERS, ownerId));
  }

  async deleteEndpoint(ownerId: string): Promise<boolean> {
    await this.bounded(this.redis.srem(WEBHOOK_OWNERS, ownerId));
    const removed = await this.bounded(this.redis.del(endpointKey(ownerId)));
    await this.bounded(this.redis.xgroup("DESTROY", eventStreamKey(ownerId), WEBHOOK_GROUP)).catch(() => 0);
    return removed > 0;
  }

  async ownersWithEndpoints(): Promise<string[]> {
    return this.bounded(this.redis.smembers(WEBHOOK_OWNERS));
  }

  async acquireLease(ownerId: string, consumer: string, ttlMs: number): Promise<boolean> {
    return (await this.bounded(this.redis.set(leaseKey(ownerId), consumer, "PX", ttlMs, "NX"))) === "OK";
  }

  async renewLease(ownerId: string, consumer: string, ttlMs: number): Promise<boolean> {
    return (await this.script(RENEW_LEASE.name)(leaseKey(ownerId), consumer, String(ttlMs))) === 1;
  }

  async releaseLease(ownerId: string, consumer: string): Promise<void> {
    await this.script(RELEASE_LEASE.name)(leaseKey(ownerId), consumer);
  }

  /** XAUTOCLAIM from any consumer (idle time 0: the lease says who delivers), then XPENDING for attempt counts. */
  async claimPending(ownerId: string, consumer: string, cursor: string, count: number) {
    const stream = eventStreamKey(ownerId);
    const [next, entries] = (await this.bounded(
      this.redis.xautoclaim(stream, WEBHOOK_GROUP, consumer, 0, cursor, "COUNT", count),
    )) as [string, StreamEntry[]];
    const live = await deliverable(this, ownerId, entries);
    if (live.length === 0) return { next, deliveries: [] };
    const pending = (await this.bounded(
      this.redis.xpending(stream, WEBHOOK_GROUP, live[0]!.id, live.at(-1)!.id, live.length, consumer),
    )) as Array<[string, string, number, number]>;
    const attempts = new Map(pending.map(([id, , , deliveries]) => [id, Number(deliveries)]));
    return { next, deliveries: live.map(({ id, event }) => ({ event, deliveries: attempts.get(id) ?? 1 })) };
  }

  async readNew(ownerId: string, consumer: string, count: number) {
    let reply: Array<[string, StreamEntry[]]> | null;
    try {
      reply = (await this.bounded(
        this.redis.xreadgroup(
          "GROUP",
          WEBHOOK_GROUP,
          consumer,
          "COUNT",
          count,
          "STREAMS",
          eventStreamKey(ownerId),
          ">",
        ),
      )) as Array<[string, StreamEntry[]]> | null;
    } catch (error) {
      // The endpoint was deleted (and its group with it) since the registry was read.
      if ((error as Error).message.startsWith("NOGROUP")) return { full: false, deliveries: [] };
      throw error;
    }
    const read = reply?.[0]?.[1] ?? [];
    const entries = await deliverable(this, ownerId, read);
    return { full: read.length >= count, deliveries: entries.map(({ event }) => ({ event, deliveries: 1 })) };
  }

  async acknowledge(ownerId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.bounded(this.redis.xack(eventStreamKey(ownerId), WEBHOOK_GROUP, ...eventIds));
  }
}
