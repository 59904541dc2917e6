import { Cluster } from "ioredis";
import { entryToEvent, storedClient } from "../events/codec.js";
import type { EventPage, EventRecord, EventSink } from "../events/types.js";
import {
  API_KEY_IDS,
  apiKeyKey,
  earlierKubbiEventsKey,
  eventStreamKey,
  expiryCursorKey,
  expiryKey,
  idempotencyKey,
  idKey,
  jobTurnKey,
  kubbiKeys,
  listKey,
  metaKey,
} from "./keys.js";
import { CLAIM } from "./lua/claim.js";
import { DELETE } from "./lua/delete.js";
import type { EmittedEvent } from "./lua/emitted.js";
import { APPEND_EVENTS, SWEEP_OWNER_EVENTS } from "./lua/event-log.js";
import { EXPIRE_KUBBI } from "./lua/expire-kubbi.js";
import { ADVANCE_EXPIRY_CURSOR, DUE_EXPIRIES } from "./lua/expiry-scan.js";
import { ABANDON_IDEMPOTENT, BEGIN_IDEMPOTENT } from "./lua/idempotency.js";
import { SCRIPTS } from "./lua/index.js";
import {
  CREATE_KUBBI,
  MARK_GONE,
  OWNER_PAGE,
  RESERVE_OWNER_SLOT,
  reservationKeys,
  SWEEP_OWNER_INDEX,
  UNINDEX,
} from "./lua/owner-index.js";
import { RATE_LIMIT } from "./lua/rate-limit.js";
import { KUBBI_EVENT_ENTRIES, type RawEntry } from "./lua/read-events.js";
import { READ_KUBBI } from "./lua/read-kubbi.js";
import { RESTORE_CLAIM } from "./lua/restore-claim.js";
import type { LuaScript } from "./lua/script.js";
import { STORE_KUBBI } from "./lua/store-kubbi.js";
import { BatchedRateCounter } from "./rate-counter.js";
import { slotMasters, withDeadline, type RedisClient } from "./redis-connection.js";
import { recordToHash } from "./record-codec.js";
import { waitForReplicas } from "./replica-wait.js";
import type {
  ClaimOutcome,
  CreateOutcome,
  DeleteOutcome,
  EventClient,
  IdempotencyBegin,
  KubbiRecord,
  KubbiStore,
  ListPage,
  NewKubbi,
  PeriodicJob,
  RateLimitResult,
  StoredApiKey,
} from "./store.js";

export interface RedisStoreOptions {
  /** Replicas that must acknowledge a create or a burn before it is answered (Redis WAIT); 0 = none. */
  waitReplicas: number;
  waitTimeoutMs: number;
  /** Tombstone retention, for trimming the owner index (the same setting the kubbis were made with). */
  retentionMs: number;
  /** A Redis call that has not answered in this time fails (503); calls moving a payload get more (see bounded). */
  commandTimeoutMs: number;
  /** The largest payload a claim may read back, for its time allowance. */
  largestPayloadBytes: number;
  /** Events older than this are trimmed as new ones are appended; absent: this process never trims (the admin command). */
  eventRetentionMs?: number;
  /** Told about every event once stored (the audit log). */
  onEvents?: EventSink;
  /**
   * On a cluster an event is appended in a second command after its state change: if that fails, the
   * change stands and the event is lost. Told here (the server logs it), never failing the request.
   */
  onEventLost?: (error: Error) => void;
}

/** Time allowed per byte moved on top of the command timeout: 1 MiB per 250 ms, so a 10 MiB payload gets 2.5 s more. */
const MS_PER_BYTE = 250 / (1024 * 1024);

/** How many active-looking entries one cap check reads to find kubbis already gone. */
const GONE_CHECK_BATCH = 1000;

/** How many due expiries one scheduler step takes per owner; it repeats until fewer come back. */
const EXPIRY_BATCH = 100;

/**
 * How many owners a periodic job (the index sweep, the expiry check) works on at once. One at a time, a
 * pass over thousands of API keys would take one round trip per key in a row; all at once, one pass
 * would flood Redis.
 */
export const OWNERS_AT_ONCE = 8;

/** Runs step for every owner, OWNERS_AT_ONCE at a time. A failure fails the pass (the next one retries). */
async function forEachOwner(ownerIds: string[], step: (ownerId: string) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ownerIds.length) await step(ownerIds[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(OWNERS_AT_ONCE, ownerIds.length) }, worker));
}

/**
 * The Redis store. Every command it sends touches keys of one hash tag only (one cluster slot):
 * on a cluster a create sends its kubbi's write and its owner's index update side by side, not as one batch.
 */
export class RedisStore implements KubbiStore {
  readonly kind = "redis";
  private readonly rateCounter = new BatchedRateCounter((counterKey, hits, windowMs) =>
    this.run(RATE_LIMIT, [counterKey], [hits, windowMs], undefined),
  );

  /**
   * One Redis: a kubbi script appends its events itself (one atomic step). A cluster: the owner's stream
   * is in another slot, so the store appends them right after (see appendEmitted).
   */
  private readonly eventsInline: boolean;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisStoreOptions,
  ) {
    for (const { name, numberOfKeys, lua } of SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
    this.eventsInline = !(redis instanceof Cluster);
  }

  /** The list score of this process's previous create. */
  private lastListScore = 0;

  /**
   * A new kubbi's score in its owner's list: created_at, nudged past this process's previous create when
   * that one had the same millisecond, so a producer's burst still lists newest first (1/1024 ms steps,
   * exact in a double). Creates of one millisecond from two processes order by their token hash.
   */
  private listScore(createdAt: number): number {
    this.lastListScore = Math.max(createdAt, this.lastListScore + 1 / 1024);
    return this.lastListScore;
  }

  /** Events older than this (ms) may be trimmed by the next append ('0': none). */
  private eventsMinId(nowMs: number): string {
    const { eventRetentionMs } = this.options;
    return eventRetentionMs === undefined ? "0" : String(Math.max(0, nowMs - eventRetentionMs));
  }

  /** The arguments every kubbi script that writes events ends with: append inline?, trim before. */
  private eventArgs(nowMs: number): string[] {
    return [this.eventsInline ? "1" : "0", this.eventsMinId(nowMs)];
  }

  /**
   * The events a kubbi script emitted: on a cluster appended now in the owner's slot (from the script's
   * reply, the authoritative post-state), then told to the sink. All come from one kubbi.
   */
  private async appendEmitted(emitted: EmittedEvent[], nowMs: number): Promise<void> {
    if (emitted.length === 0) return;
    const [first] = emitted as [EmittedEvent];
    if (!this.eventsInline) {
      try {
        const ids = await this.run(
          APPEND_EVENTS,
          [eventStreamKey(first.ownerId), idKey(first.ownerId, first.kubbiId)],
          [
            this.eventsMinId(nowMs),
            ...emitted.flatMap((event) => [
              event.type,
              event.kubbiId,
              event.at,
              event.retrievalCount,
              event.maxRetrievals ?? "",
              event.ip,
              event.ua,
            ]),
          ],
          undefined,
        );
        emitted.forEach((event, index) => (event.id = ids[index]!));
      } catch (error) {
        this.options.onEventLost?.(error as Error);
        return;
      }
    }
    this.options.onEvents?.(emitted.map(toEventRecord));
  }

  /** Runs one script and decodes its reply (Buffer replies, so sealed bytes stay bytes). */
  private async run<Result, Subject>(
    script: LuaScript<Result, Subject>,
    keys: readonly string[],
    args: Array<string | number | Buffer>,
    subject: Subject,
    replyBytes = 0,
  ): Promise<Result> {
    const command = (this.redis as unknown as Record<string, (...parts: unknown[]) => Promise<unknown>>)[
      `${script.name}Buffer`
    ]!;
    const sentBytes = args.reduce<number>((sum, arg) => sum + (Buffer.isBuffer(arg) ? arg.length : 0), 0);
    const reply = await this.bounded(
      command.call(this.redis, ...keys, ...args.map((arg) => (typeof arg === "number" ? String(arg) : arg))),
      Math.ceil((sentBytes + replyBytes) * MS_PER_BYTE),
    );
    return script.decode(reply, subject);
  }

  /**
   * Fails a Redis call that has not answered within the command timeout (plus extraMs for the bytes it
   * moves, or for a WAIT), so a route answers 503 quickly when Redis hangs; the command may still complete.
   */
  private bounded<T>(pending: Promise<T>, extraMs = 0): Promise<T> {
    return withDeadline(pending, this.options.commandTimeoutMs + extraMs);
  }

  async create(newKubbi: NewKubbi, nowMs: number): Promise<CreateOutcome> {
    const { record } = newKubbi;
    let createdEventId = await this.writeKubbi(newKubbi, nowMs);
    if (createdEventId === null && (await this.markGoneKubbis(record.ownerId, nowMs)) > 0) {
      createdEventId = await this.writeKubbi(newKubbi, nowMs);
    }
    if (createdEventId === null) return "quota_exceeded";
    await this.waitForReplicas([metaKey(record.tokenHash), listKey(record.ownerId)]);
    this.options.onEvents?.([
      {
        id: createdEventId,
        ownerId: record.ownerId,
        type: "kubbi.created",
        kubbiId: record.id,
        at: record.createdAt,
        retrievalCount: 0,
        maxRetrievals: record.maxRetrievals,
        client: null,
      },
    ]);
    return "created";
  }

  /**
   * Writes a new kubbi and reserves its place in the owner's index, with its created event: returns the
   * event's id, or null when the owner's cap refuses (then nothing of it stays). One Redis: one script.
   * A cluster: the kubbi's write and the owner's reservation go out side by side (two slots, one round
   * trip), and a refused reservation deletes the kubbi just written; until then nobody holds its token.
   */
  private async writeKubbi(
    { record, sealedPayload, retentionMs, maxActiveKubbis }: NewKubbi,
    nowMs: number,
  ): Promise<string | null> {
    const reservation = [
      nowMs,
      record.tokenHash,
      record.createdAt,
      this.listScore(record.createdAt),
      record.expiresAt,
      retentionMs,
      maxActiveKubbis,
      record.id,
      record.maxRetrievals ?? "",
      this.eventsMinId(nowMs),
    ];
    const state = JSON.stringify(recordToHash(record));
    const keys = kubbiKeys(record.tokenHash);
    if (this.eventsInline) {
      return this.run(
        CREATE_KUBBI,
        keys,
        [...reservation, record.ownerId, sealedPayload, record.sealedInfo, state],
        undefined,
      );
    }
    const ownerKeys = reservationKeys(record.ownerId, record.id);
    const purgeAt = record.expiresAt + retentionMs;
    const [reserved, stored] = await Promise.allSettled([
      this.run(RESERVE_OWNER_SLOT, ownerKeys, reservation, undefined),
      this.run(STORE_KUBBI, keys, [sealedPayload, record.sealedInfo, record.expiresAt, purgeAt, state], undefined),
    ]);
    const createdEventId = reserved.status === "fulfilled" ? reserved.value : null;
    if (stored.status === "fulfilled" && createdEventId !== null) return createdEventId;
    await Promise.allSettled([
      this.bounded(this.redis.del(...keys)),
      ...(createdEventId === null ? [] : [this.run(UNINDEX, ownerKeys, [record.tokenHash, createdEventId], undefined)]),
    ]);
    if (stored.status === "rejected") throw stored.reason;
    if (reserved.status === "rejected") throw reserved.reason;
    return null;
  }

  /**
   * At the cap: reads the owner's active-looking entries and takes the ones already burned or deleted
   * out of the count (claims and deletes do not touch the owner's slot). Returns how many it found.
   */
  private async markGoneKubbis(ownerId: string, nowMs: number): Promise<number> {
    const { gone } = await this.unexpiredByStatus(ownerId, nowMs, GONE_CHECK_BATCH);
    if (gone.length > 0) await this.run(MARK_GONE, [expiryKey(ownerId)], [nowMs, ...gone], undefined);
    return gone.length;
  }

  /**
   * The owner's entries not yet expired (up to limit), split by their kubbi's state, each read in the
   * kubbi's own slot. Only a tombstone proves a kubbi gone: a missing state may be a create still under way.
   */
  private async unexpiredByStatus(
    ownerId: string,
    nowMs: number,
    limit?: number,
  ): Promise<{ active: string[]; gone: string[] }> {
    const unexpired = [expiryKey(ownerId), `(${nowMs}`, "+inf"] as const;
    const candidates = await this.bounded(
      limit === undefined
        ? this.redis.zrangebyscore(...unexpired)
        : this.redis.zrangebyscore(...unexpired, "LIMIT", 0, limit),
    );
    const statuses = await Promise.all(
      candidates.map((tokenHash) => this.bounded(this.redis.hget(metaKey(tokenHash), "st"))),
    );
    return {
      active: candidates.filter((_, index) => statuses[index] === "active"),
      gone: candidates.filter((_, index) => statuses[index] !== null && statuses[index] !== "active"),
    };
  }

  async claim(tokenHash: string, nowMs: number, client: EventClient, maxPayloadBytes?: number): Promise<ClaimOutcome> {
    const replyBytes = Math.min(maxPayloadBytes ?? Infinity, this.options.largestPayloadBytes);
    const { events, value: outcome } = await this.run(
      CLAIM,
      kubbiKeys(tokenHash),
      [nowMs, maxPayloadBytes ?? "", client.address, client.userAgent, ...this.eventArgs(nowMs)],
      tokenHash,
      replyBytes,
    );
    await this.appendEmitted(events, nowMs);
    if (outcome.kind === "claimed" && outcome.burned) await this.waitForReplicas([metaKey(tokenHash)]);
    return outcome;
  }

  async restoreClaim(claimed: Extract<ClaimOutcome, { kind: "claimed" }>, nowMs: number): Promise<void> {
    const { record } = claimed;
    const { events } = await this.run(
      RESTORE_CLAIM,
      kubbiKeys(record.tokenHash),
      [
        claimed.sealedPayload,
        record.sealedInfo,
        claimed.burned ? "1" : "0",
        claimed.previousFirstRetrievedAt ?? "",
        claimed.previousLastRetrievedAt ?? "",
        nowMs,
        claimed.previousClaimClient?.address ?? "",
        claimed.previousClaimClient?.userAgent ?? "",
        record.lastClaimClient?.address ?? "",
        record.lastClaimClient?.userAgent ?? "",
        ...this.eventArgs(nowMs),
      ],
      undefined,
    );
    await this.appendEmitted(events, nowMs);
    // A cap check may have re-scored the burned kubbi meanwhile: count it as active again.
    if (claimed.burned && nowMs < record.expiresAt)
      await this.bounded(this.redis.zadd(expiryKey(record.ownerId), "XX", record.expiresAt, record.tokenHash));
  }

  /** Detail, list rows and the claim page: one script call, read only. */
  async findByTokenHash(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    return this.run(READ_KUBBI, kubbiKeys(tokenHash), [""], { tokenHash, nowMs });
  }

  /** The inspect path: the same read, counting the inspect. */
  async inspect(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    return this.run(READ_KUBBI, kubbiKeys(tokenHash), [nowMs], { tokenHash, nowMs });
  }

  async findById(ownerId: string, id: string, nowMs: number): Promise<KubbiRecord | null> {
    // "tokenHash eventId eventId ...": the token hash is the first word.
    const indexed = await this.bounded(this.redis.get(idKey(ownerId, id)));
    return indexed ? this.findByTokenHash(indexed.split(" ", 1)[0]!, nowMs) : null;
  }

  async delete(tokenHash: string, ownerId: string, nowMs: number): Promise<DeleteOutcome> {
    const { events, value } = await this.run(
      DELETE,
      kubbiKeys(tokenHash),
      [ownerId, nowMs, ...this.eventArgs(nowMs)],
      undefined,
    );
    await this.appendEmitted(events, nowMs);
    return value;
  }

  /** The page's index read, then every row read at once (one command per kubbi, each in its own slot). */
  async listByOwner(ownerId: string, offset: number, limit: number, nowMs: number): Promise<ListPage> {
    const { total, tokenHashes } = await this.run(
      OWNER_PAGE,
      [listKey(ownerId), expiryKey(ownerId)],
      [nowMs, this.options.retentionMs, offset, limit],
      undefined,
    );
    const records = await Promise.all(tokenHashes.map((tokenHash) => this.findByTokenHash(tokenHash, nowMs)));
    return { total, records: records.filter((record): record is KubbiRecord => record !== null) };
  }

  /**
   * Removes purged entries from each owner's index (bounded batches per owner; never scans the keyspace),
   * and trims each owner's events to the retention.
   */
  async sweepOwnerIndexes(ownerIds: string[], nowMs: number): Promise<void> {
    await forEachOwner(ownerIds, async (ownerId) => {
      if (this.options.eventRetentionMs !== undefined)
        await this.run(SWEEP_OWNER_EVENTS, [eventStreamKey(ownerId)], [this.eventsMinId(nowMs)], undefined);
      while (
        (await this.run(
          SWEEP_OWNER_INDEX,
          [listKey(ownerId), expiryKey(ownerId)],
          [nowMs - this.options.retentionMs],
          undefined,
        )) > 0
      );
    });
  }

  /**
   * For each owner: the kubbis due past the owner's cursor (one read in the owner's slot), each moved to
   * expired in its own slot (only the process that moves it emits), then the cursor moves past them.
   */
  async expireDue(ownerIds: string[], nowMs: number): Promise<void> {
    await forEachOwner(ownerIds, async (ownerId) => {
      for (;;) {
        const { cursorAfter, tokenHashes } = await this.run(
          DUE_EXPIRIES,
          [expiryKey(ownerId), expiryCursorKey(ownerId)],
          [nowMs, EXPIRY_BATCH],
          undefined,
        );
        if (tokenHashes.length === 0) break;
        await Promise.all(
          tokenHashes.map(async (tokenHash) => {
            const { events } = await this.run(
              EXPIRE_KUBBI,
              kubbiKeys(tokenHash),
              [nowMs, ...this.eventArgs(nowMs)],
              undefined,
            );
            await this.appendEmitted(events, nowMs);
          }),
        );
        await this.run(
          ADVANCE_EXPIRY_CURSOR,
          [expiryCursorKey(ownerId)],
          [cursorAfter, this.options.retentionMs],
          undefined,
        );
        if (tokenHashes.length < EXPIRY_BATCH) break;
      }
    });
  }

  async readOwnerEvents(ownerId: string, afterId: string | null, limit: number): Promise<EventPage> {
    const entries = (await this.bounded(
      this.redis.xrangeBuffer(eventStreamKey(ownerId), afterId === null ? "-" : `(${afterId}`, "+", "COUNT", limit + 1),
    )) as unknown as RawEntry[];
    return toPage(ownerId, entries, limit);
  }

  async readKubbiEvents(
    ownerId: string,
    kubbiId: string,
    afterId: string | null = null,
    limit = 1000,
  ): Promise<EventPage> {
    const entries = await this.run(
      KUBBI_EVENT_ENTRIES,
      [eventStreamKey(ownerId), idKey(ownerId, kubbiId), earlierKubbiEventsKey(ownerId, kubbiId)],
      [afterId ?? "", limit + 1],
      undefined,
    );
    return toPage(ownerId, entries, limit);
  }

  async activeTokenHashes(ownerId: string, nowMs: number): Promise<string[]> {
    return (await this.unexpiredByStatus(ownerId, nowMs)).active;
  }

  hitRateLimit(bucket: string, limit: number, windowMs: number, nowMs: number): RateLimitResult {
    return this.rateCounter.hit(bucket, limit, windowMs, nowMs);
  }

  async findApiKey(keyHash: string): Promise<StoredApiKey | null> {
    const stored = await this.bounded(this.redis.get(apiKeyKey(keyHash)));
    return stored ? (JSON.parse(stored) as StoredApiKey) : null;
  }

  /** The record first, then its id entry: a key listed by id is always one that can be found. */
  async saveApiKey(keyHash: string, key: StoredApiKey): Promise<void> {
    await this.bounded(this.redis.set(apiKeyKey(keyHash), JSON.stringify(key)));
    await this.bounded(this.redis.hset(API_KEY_IDS, key.id, keyHash));
  }

  async listApiKeys(): Promise<StoredApiKey[]> {
    const hashes = Object.values(await this.bounded(this.redis.hgetall(API_KEY_IDS)));
    const keys = await Promise.all(hashes.map((keyHash) => this.findApiKey(keyHash)));
    return keys.filter((key): key is StoredApiKey => key !== null);
  }

  async listApiKeyIds(): Promise<string[]> {
    return this.bounded(this.redis.hkeys(API_KEY_IDS));
  }

  async takeTurn(job: PeriodicJob, forMs: number): Promise<boolean> {
    return (await this.bounded(this.redis.set(jobTurnKey(job), "1", "PX", forMs, "NX"))) === "OK";
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const keyHash = await this.bounded(this.redis.hget(API_KEY_IDS, id));
    const key = keyHash ? await this.findApiKey(keyHash) : null;
    if (!keyHash || !key) return false;
    await this.saveApiKey(keyHash, { ...key, revokedAt: key.revokedAt ?? nowMs });
    return true;
  }

  async beginIdempotent(slot: string, pendingTtlMs: number, nowMs: number): Promise<IdempotencyBegin> {
    return this.run(BEGIN_IDEMPOTENT, [idempotencyKey(slot)], [nowMs + pendingTtlMs], undefined);
  }

  async completeIdempotent(slot: string, value: Buffer, ttlMs: number, nowMs: number): Promise<void> {
    await this.bounded(this.redis.set(idempotencyKey(slot), value, "PXAT", nowMs + ttlMs));
  }

  async abandonIdempotent(slot: string): Promise<void> {
    await this.run(ABANDON_IDEMPOTENT, [idempotencyKey(slot)], [], undefined);
  }

  /** Every master answers (one server, or each master of a cluster). */
  async ping(): Promise<void> {
    await this.bounded(Promise.all(slotMasters(this.redis).map((node) => node.ping())));
  }

  async close(): Promise<void> {
    await this.rateCounter.flush();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** KUBBI_REDIS_WAIT_REPLICAS for this store's writes (replica-wait.ts). */
  private waitForReplicas(keys: string[]): Promise<void> {
    return waitForReplicas(this.redis, this.options, keys);
  }
}

/** Up to limit + 1 entries read: the page, and whether there is more. */
function toPage(ownerId: string, entries: RawEntry[], limit: number): EventPage {
  const read = entries.slice(0, limit);
  return {
    events: read.flatMap(([id, fields]) => entryToEvent(ownerId, id, fields) ?? []),
    hasMore: entries.length > limit,
    lastId: read.at(-1)?.[0].toString() ?? null,
  };
}

function toEventRecord(event: EmittedEvent): EventRecord {
  return {
    id: event.id,
    ownerId: event.ownerId,
    type: event.type,
    kubbiId: event.kubbiId,
    at: event.at,
    retrievalCount: event.retrievalCount,
    maxRetrievals: event.maxRetrievals,
    client: storedClient(event.ip, event.ua),
  };
}
