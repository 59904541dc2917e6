import { Redis } from "ioredis";
import { ABANDON_IDEMPOTENT_SCRIPT, BEGIN_IDEMPOTENT_SCRIPT } from "./lua/idempotency.js";
import { CLAIM_SCRIPT } from "./lua/claim.js";
import { DELETE_SCRIPT } from "./lua/delete.js";
import { OWNER_PAGE_SCRIPT, RESERVE_OWNER_SLOT_SCRIPT } from "./lua/owner-index.js";
import { RATE_LIMIT_SCRIPT } from "./lua/rate-limit.js";
import { READ_KUBBI_SCRIPT } from "./lua/read-kubbi.js";
import { RESTORE_CLAIM_SCRIPT } from "./lua/restore-claim.js";
import { STORE_KUBBI_SCRIPT } from "./lua/store-kubbi.js";
import { BatchedRateCounter } from "./rate-counter.js";
import { hashToRecord, pairsToFields, recordToHash } from "./record-codec.js";
import {
  effectiveStatus,
  type ClaimOutcome,
  type CreateOutcome,
  type DeleteOutcome,
  type IdempotencyBegin,
  type KubbiRecord,
  type KubbiStore,
  type ListPage,
  type NewKubbi,
  type RateLimitResult,
  type StoredApiKey,
} from "./store.js";

/**
 * Key layout. Every key one script touches shares a hash tag, so the layout works on Redis Cluster:
 *   kb:{tokenHash}:m   hash    the kubbi's state                  TTL expiry + retention
 *   kb:{tokenHash}:d   string  the sealed payload                 TTL expiry (native, no sweeper)
 *   kb:{tokenHash}:i   string  the sealed metadata + manifest     TTL expiry; deleted with the payload
 *   own:{ownerId}:l|p|a zsets  list order, purge time, active cap (see lua/owner-index.ts)
 *   own:{ownerId}:id:<id> string tokenHash, for producer routes  TTL expiry + retention
 *   ak:<sha256>        string  an API key record (JSON); ak:ids hash id -> sha256
 *   rl:{bucket}:<n>    string  a rate-limit window counter
 *   idem:{ownerId:<slot>} string an idempotent response, sealed; slot and key come from the API key
 */
const metaKey = (tokenHash: string) => `kb:{${tokenHash}}:m`;
const payloadKey = (tokenHash: string) => `kb:{${tokenHash}}:d`;
const infoKey = (tokenHash: string) => `kb:{${tokenHash}}:i`;
/** The three keys of one kubbi, in the order every kubbi script takes them. */
const kubbiKeys = (tokenHash: string) => [metaKey(tokenHash), payloadKey(tokenHash), infoKey(tokenHash)] as const;
const idKey = (ownerId: string, id: string) => `own:{${ownerId}}:id:${id}`;
const ownerKeys = (ownerId: string) => [`own:{${ownerId}}:l`, `own:{${ownerId}}:p`, `own:{${ownerId}}:a`];
const apiKeyKey = (keyHash: string) => `ak:${keyHash}`;
const API_KEY_IDS = "ak:ids";

/** The scripts, loaded once per connection and run by SHA (ioredis falls back to EVAL on NOSCRIPT). */
interface ScriptCommands {
  kubbiClaimBuffer(meta: string, payload: string, info: string, nowMs: string, maxBytes: string): Promise<Buffer[]>;
  kubbiRestoreClaim(meta: string, payload: string, info: string, sealed: Buffer, sealedInfo: Buffer, wasBurned: string, first: string, last: string, nowMs: string): Promise<number>;
  kubbiReadBuffer(meta: string, payload: string, info: string): Promise<[number, Buffer, ...Buffer[]]>;
  kubbiDelete(meta: string, payload: string, info: string, ownerId: string, nowMs: string): Promise<string>;
  kubbiOwnerPage(list: string, purge: string, active: string, nowMs: string, offset: string, limit: string): Promise<[number, ...string[]]>;
  kubbiRateLimit(counter: string, hits: string, windowMs: string): Promise<number>;
  kubbiBeginIdempotentBuffer(slot: string, pendingTtlMs: string): Promise<Buffer[]>;
  kubbiAbandonIdempotent(slot: string): Promise<number>;
}

/** The two scripts create sends in one pipeline. */
interface ScriptPipeline {
  kubbiReserveOwnerSlot(...args: string[]): ScriptPipeline;
  kubbiStore(meta: string, payload: string, info: string, sealed: Buffer, sealedInfo: Buffer, ...args: string[]): ScriptPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

const SCRIPTS: Array<[name: string, keys: number, lua: string]> = [
  ["kubbiStore", 3, STORE_KUBBI_SCRIPT],
  ["kubbiClaim", 3, CLAIM_SCRIPT],
  ["kubbiRestoreClaim", 3, RESTORE_CLAIM_SCRIPT],
  ["kubbiRead", 3, READ_KUBBI_SCRIPT],
  ["kubbiDelete", 3, DELETE_SCRIPT],
  ["kubbiReserveOwnerSlot", 4, RESERVE_OWNER_SLOT_SCRIPT],
  ["kubbiOwnerPage", 3, OWNER_PAGE_SCRIPT],
  ["kubbiRateLimit", 1, RATE_LIMIT_SCRIPT],
  ["kubbiBeginIdempotent", 1, BEGIN_IDEMPOTENT_SCRIPT],
  ["kubbiAbandonIdempotent", 1, ABANDON_IDEMPOTENT_SCRIPT],
];

export class RedisStore implements KubbiStore {
  readonly kind = "redis";
  private readonly redis: Redis & ScriptCommands;
  private readonly rateCounter = new BatchedRateCounter((counterKey, hits, windowMs) =>
    this.redis.kubbiRateLimit(counterKey, String(hits), String(windowMs)),
  );

  /** onConnectionError hears about connection trouble (ioredis reconnects by itself). */
  constructor(url: string, onConnectionError: (error: Error) => void = () => {}) {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    redis.on("error", onConnectionError);
    for (const [name, numberOfKeys, lua] of SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
    this.redis = redis as Redis & ScriptCommands;
  }

  /**
   * One round trip: the owner script (quota, indexes) and the kubbi's own write go out together.
   * If the quota refuses, the kubbi just written is deleted again; until then nobody holds its
   * token, so it was never reachable.
   */
  async create({ record, sealedPayload, retentionMs, maxActiveKubbis }: NewKubbi, nowMs: number): Promise<CreateOutcome> {
    const purgeAt = record.expiresAt + retentionMs;
    const replies = await (this.redis.pipeline() as unknown as ScriptPipeline)
      .kubbiReserveOwnerSlot(
        ...(ownerKeys(record.ownerId) as [string, string, string]),
        idKey(record.ownerId, record.id),
        String(nowMs),
        record.tokenHash,
        String(record.createdAt),
        String(record.expiresAt),
        String(purgeAt),
        String(maxActiveKubbis),
      )
      .kubbiStore(...kubbiKeys(record.tokenHash), sealedPayload, record.sealedInfo, String(record.expiresAt), String(purgeAt), ...Object.entries(recordToHash(record)).flat())
      .exec();
    const [reserve, store] = replies ?? [];
    if (reserve?.[0] || store?.[0] || reserve?.[1] !== 1) {
      await this.forget(record, reserve?.[1] === 1).catch(() => undefined);
      if (reserve?.[0] || store?.[0]) throw reserve?.[0] ?? store?.[0];
      return "quota_exceeded";
    }
    return "created";
  }

  /** Removes a kubbi whose create did not complete, and its owner-index entries when they were made. */
  private async forget(record: KubbiRecord, indexed: boolean): Promise<void> {
    const pipeline = this.redis.pipeline().del(...kubbiKeys(record.tokenHash));
    if (indexed) {
      const [list, purge, active] = ownerKeys(record.ownerId) as [string, string, string];
      pipeline.del(idKey(record.ownerId, record.id)).zrem(list, record.tokenHash).zrem(purge, record.tokenHash).zrem(active, record.tokenHash);
    }
    await pipeline.exec();
  }

  async claim(tokenHash: string, nowMs: number, maxPayloadBytes?: number): Promise<ClaimOutcome> {
    const reply = await this.redis.kubbiClaimBuffer(...kubbiKeys(tokenHash), String(nowMs), maxPayloadBytes === undefined ? "" : String(maxPayloadBytes));
    const outcome = reply[0]!.toString("utf8");
    if (outcome === "not_found" || outcome === "too_large") return { kind: outcome };
    if (outcome !== "claimed") return { kind: "gone", status: outcome as "burned" | "expired" | "deleted" };
    const record = hashToRecord(tokenHash, pairsToFields(reply.slice(6)), reply[5]!);
    const burned = reply[2]!.toString("utf8") === "1";
    if (burned) await this.redis.zrem(ownerKeys(record.ownerId)[2]!, tokenHash);
    return {
      kind: "claimed",
      record,
      sealedPayload: reply[1]!,
      burned,
      previousFirstRetrievedAt: reply[3]!.length ? Number(reply[3]!.toString("utf8")) : null,
      previousLastRetrievedAt: reply[4]!.length ? Number(reply[4]!.toString("utf8")) : null,
    };
  }

  async restoreClaim(claimed: Extract<ClaimOutcome, { kind: "claimed" }>, nowMs: number): Promise<void> {
    const { record } = claimed;
    await this.redis.kubbiRestoreClaim(
      ...kubbiKeys(record.tokenHash),
      claimed.sealedPayload,
      record.sealedInfo,
      claimed.burned ? "1" : "0",
      claimed.previousFirstRetrievedAt === null ? "" : String(claimed.previousFirstRetrievedAt),
      claimed.previousLastRetrievedAt === null ? "" : String(claimed.previousLastRetrievedAt),
      String(nowMs),
    );
    if (claimed.burned && nowMs < record.expiresAt) {
      await this.redis.zadd(ownerKeys(record.ownerId)[2]!, record.expiresAt, record.tokenHash);
    }
  }

  /** The inspect path: one script call (one command on the wire, cheaper than a two-command pipeline). */
  async findByTokenHash(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    const [payloadPresent, sealedInfo, ...flat] = await this.redis.kubbiReadBuffer(...kubbiKeys(tokenHash));
    if (flat.length === 0) return null;
    const record = hashToRecord(tokenHash, pairsToFields(flat), sealedInfo);
    record.status = effectiveStatus(record, payloadPresent === 1, nowMs);
    return record;
  }

  async findById(ownerId: string, id: string, nowMs: number): Promise<KubbiRecord | null> {
    const tokenHash = await this.redis.get(idKey(ownerId, id));
    return tokenHash ? this.findByTokenHash(tokenHash, nowMs) : null;
  }

  /** One round trip for a page of kubbis: their hashes, whether each payload is still there, their sealed info. */
  private async readRecords(tokenHashes: string[], nowMs: number): Promise<KubbiRecord[]> {
    if (tokenHashes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const tokenHash of tokenHashes) pipeline.hgetallBuffer(metaKey(tokenHash)).exists(payloadKey(tokenHash)).getBuffer(infoKey(tokenHash));
    const replies = throwOnPipelineError(await pipeline.exec());
    const records: KubbiRecord[] = [];
    tokenHashes.forEach((tokenHash, index) => {
      const [fields, payloadPresent, sealedInfo] = replies.slice(index * 3, index * 3 + 3) as [Record<string, Buffer>, number, Buffer | null];
      if (!fields || !fields.st) return;
      const record = hashToRecord(tokenHash, fields, sealedInfo ?? Buffer.alloc(0));
      record.status = effectiveStatus(record, payloadPresent === 1, nowMs);
      records.push(record);
    });
    return records;
  }

  async delete(tokenHash: string, ownerId: string, nowMs: number): Promise<DeleteOutcome> {
    const outcome = (await this.redis.kubbiDelete(...kubbiKeys(tokenHash), ownerId, String(nowMs))) as DeleteOutcome;
    if (outcome === "ok" || outcome === "expired") await this.redis.zrem(ownerKeys(ownerId)[2]!, tokenHash);
    return outcome;
  }

  async listByOwner(ownerId: string, offset: number, limit: number, nowMs: number): Promise<ListPage> {
    const [total, ...tokenHashes] = await this.redis.kubbiOwnerPage(
      ...(ownerKeys(ownerId) as [string, string, string]),
      String(nowMs),
      String(offset),
      String(limit),
    );
    return { total: Number(total), records: await this.readRecords(tokenHashes, nowMs) };
  }

  async activeTokenHashes(ownerId: string, nowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(ownerKeys(ownerId)[2]!, `(${nowMs}`, "+inf");
  }

  async hitRateLimit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult> {
    return this.rateCounter.hit(bucket, limit, windowMs, nowMs);
  }

  async findApiKey(keyHash: string): Promise<StoredApiKey | null> {
    const stored = await this.redis.get(apiKeyKey(keyHash));
    return stored ? (JSON.parse(stored) as StoredApiKey) : null;
  }

  async saveApiKey(keyHash: string, key: StoredApiKey): Promise<void> {
    await this.redis.pipeline().set(apiKeyKey(keyHash), JSON.stringify(key)).hset(API_KEY_IDS, key.id, keyHash).exec().then(throwOnPipelineError);
  }

  async listApiKeys(): Promise<StoredApiKey[]> {
    const hashes = Object.values(await this.redis.hgetall(API_KEY_IDS));
    const keys = await Promise.all(hashes.map((keyHash) => this.findApiKey(keyHash)));
    return keys.filter((key): key is StoredApiKey => key !== null);
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const keyHash = await this.redis.hget(API_KEY_IDS, id);
    const key = keyHash ? await this.findApiKey(keyHash) : null;
    if (!keyHash || !key) return false;
    await this.saveApiKey(keyHash, { ...key, revokedAt: key.revokedAt ?? nowMs });
    return true;
  }

  async beginIdempotent(slot: string, pendingTtlMs: number): Promise<IdempotencyBegin> {
    const [state, value] = await this.redis.kubbiBeginIdempotentBuffer(`idem:{${slot}}`, String(pendingTtlMs));
    const name = state!.toString("utf8");
    if (name === "completed") return { state: "completed", value: value! };
    return { state: name as "started" | "in_progress" };
  }

  async completeIdempotent(slot: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.redis.set(`idem:{${slot}}`, value, "PX", ttlMs);
  }

  async abandonIdempotent(slot: string): Promise<void> {
    await this.redis.kubbiAbandonIdempotent(`idem:{${slot}}`);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.rateCounter.flush();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function throwOnPipelineError(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (!results) throw new Error("redis transaction was aborted");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
