import { Redis } from "ioredis";
import {
  ABORT_FILL_KEYS,
  ABORT_FILL_SCRIPT,
  BEGIN_FILL_KEYS,
  BEGIN_FILL_SCRIPT,
  CANCEL_REQUEST_KEYS,
  CANCEL_REQUEST_SCRIPT,
  FINISH_FILL_KEYS,
  FINISH_FILL_SCRIPT,
} from "../lua/requests.js";
import { hashToRequest, requestPurgeAt, requestToHash } from "./record-codec.js";
import type { BeginFillOutcome, CancelOutcome, RequestRecord, RequestStore } from "./request-store.js";

/**
 * Key layout (each script touches one key; a request's keys share its fill hash as hash tag):
 *   rq:{fillHash}:m        hash    the request's state          until its kubbi could be gone + retention
 *   own:{ownerId}:rq:<id>  string  fillHash, for owner routes   same
 * The delivery's kubbi lives under kb:{tokenHash}:*, another slot: services/requests.ts orders the steps.
 */
const requestKey = (fillHash: string) => `rq:{${fillHash}}:m`;
const ownerIndexKey = (ownerId: string, id: string) => `own:{${ownerId}}:rq:${id}`;

interface RequestScripts {
  kubbiBeginFill(key: string, nowMs: string, kubbiId: string, sealedClaimToken: string): Promise<string>;
  kubbiFinishFill(key: string): Promise<number>;
  kubbiAbortFill(key: string, kubbiId: string): Promise<number>;
  kubbiCancelRequest(key: string, ownerId: string, nowMs: string): Promise<string>;
}

/** Its own connection, so the kubbi store stays as it is. */
export class RedisRequestStore implements RequestStore {
  private readonly redis: Redis & RequestScripts;

  constructor(url: string, onConnectionError: (error: Error) => void = () => {}) {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on("error", onConnectionError);
    redis.defineCommand("kubbiBeginFill", { numberOfKeys: BEGIN_FILL_KEYS, lua: BEGIN_FILL_SCRIPT });
    redis.defineCommand("kubbiFinishFill", { numberOfKeys: FINISH_FILL_KEYS, lua: FINISH_FILL_SCRIPT });
    redis.defineCommand("kubbiAbortFill", { numberOfKeys: ABORT_FILL_KEYS, lua: ABORT_FILL_SCRIPT });
    redis.defineCommand("kubbiCancelRequest", { numberOfKeys: CANCEL_REQUEST_KEYS, lua: CANCEL_REQUEST_SCRIPT });
    this.redis = redis as Redis & RequestScripts;
  }

  /** The request hash first: an index entry never points at nothing. */
  async create(record: RequestRecord, retentionMs: number): Promise<void> {
    const purgeAt = requestPurgeAt(record, retentionMs);
    await this.redis.multi().hset(requestKey(record.fillHash), requestToHash(record)).pexpireat(requestKey(record.fillHash), purgeAt).exec();
    await this.redis.set(ownerIndexKey(record.ownerId, record.id), record.fillHash, "PXAT", purgeAt);
  }

  async findByFillHash(fillHash: string): Promise<RequestRecord | null> {
    const fields = await this.redis.hgetall(requestKey(fillHash));
    return fields.st ? hashToRequest(fillHash, fields) : null;
  }

  async findById(ownerId: string, id: string): Promise<RequestRecord | null> {
    const fillHash = await this.redis.get(ownerIndexKey(ownerId, id));
    const record = fillHash ? await this.findByFillHash(fillHash) : null;
    return record?.ownerId === ownerId ? record : null;
  }

  async beginFill(fillHash: string, kubbiId: string, sealedClaimToken: string, nowMs: number): Promise<BeginFillOutcome> {
    return (await this.redis.kubbiBeginFill(requestKey(fillHash), String(nowMs), kubbiId, sealedClaimToken)) as BeginFillOutcome;
  }

  async finishFill(fillHash: string): Promise<void> {
    await this.redis.kubbiFinishFill(requestKey(fillHash));
  }

  async abortFill(fillHash: string, kubbiId: string): Promise<void> {
    await this.redis.kubbiAbortFill(requestKey(fillHash), kubbiId);
  }

  async cancel(fillHash: string, ownerId: string, nowMs: number): Promise<CancelOutcome> {
    return (await this.redis.kubbiCancelRequest(requestKey(fillHash), ownerId, String(nowMs))) as CancelOutcome;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
