import { ownerRequestKey, requestKey } from "../keys.js";
import {
  ABORT_FILL,
  BEGIN_FILL,
  CANCEL_REQUEST,
  CREATE_REQUEST,
  FINISH_FILL,
  REQUEST_SCRIPTS,
} from "../lua/requests.js";
import type { LuaScript } from "../lua/script.js";
import { withDeadline, type RedisClient } from "../redis-connection.js";
import { hashToRequest, requestPurgeAt, requestToHash } from "./record-codec.js";
import type { BeginFillOutcome, CancelOutcome, RequestRecord, RequestStore } from "./request-store.js";

/**
 * Request links on the kubbi store's connection (one server or a cluster client). Every call touches
 * one hash tag: a request's state under its fill hash, its id index under the owner's (keys.ts). The
 * delivery's kubbi lives under kb:{tokenHash}:*, another slot: services/requests.ts orders the steps.
 */
export class RedisRequestStore implements RequestStore {
  constructor(
    private readonly redis: RedisClient,
    /** A call that has not answered in this time fails (503), as in the kubbi store. */
    private readonly commandTimeoutMs: number,
  ) {
    for (const { name, numberOfKeys, lua } of REQUEST_SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
  }

  private bounded<T>(pending: Promise<T>): Promise<T> {
    return withDeadline(pending, this.commandTimeoutMs);
  }

  private async run<Result>(script: LuaScript<Result>, key: string, args: Array<string | number>): Promise<Result> {
    const command = (this.redis as unknown as Record<string, (...parts: unknown[]) => Promise<unknown>>)[
      `${script.name}Buffer`
    ]!;
    return script.decode(await this.bounded(command.call(this.redis, key, ...args.map(String))), undefined);
  }

  /** The request hash first: an index entry never points at nothing. */
  async create(record: RequestRecord, retentionMs: number): Promise<void> {
    const purgeAt = requestPurgeAt(record, retentionMs);
    await this.run(CREATE_REQUEST, requestKey(record.fillHash), [
      purgeAt,
      ...Object.entries(requestToHash(record)).flat(),
    ]);
    await this.bounded(this.redis.set(ownerRequestKey(record.ownerId, record.id), record.fillHash, "PXAT", purgeAt));
  }

  async findByFillHash(fillHash: string): Promise<RequestRecord | null> {
    const fields = await this.bounded(this.redis.hgetall(requestKey(fillHash)));
    return fields.st ? hashToRequest(fillHash, fields) : null;
  }

  async findById(ownerId: string, id: string): Promise<RequestRecord | null> {
    const fillHash = await this.bounded(this.redis.get(ownerRequestKey(ownerId, id)));
    const record = fillHash ? await this.findByFillHash(fillHash) : null;
    return record?.ownerId === ownerId ? record : null;
  }

  async beginFill(
    fillHash: string,
    kubbiId: string,
    sealedClaimToken: string,
    nowMs: number,
  ): Promise<BeginFillOutcome> {
    return this.run(BEGIN_FILL, requestKey(fillHash), [nowMs, kubbiId, sealedClaimToken]);
  }

  async finishFill(fillHash: string): Promise<void> {
    await this.run(FINISH_FILL, requestKey(fillHash), []);
  }

  async abortFill(fillHash: string, kubbiId: string): Promise<void> {
    await this.run(ABORT_FILL, requestKey(fillHash), [kubbiId]);
  }

  async cancel(fillHash: string, ownerId: string, nowMs: number): Promise<CancelOutcome> {
    return this.run(CANCEL_REQUEST, requestKey(fillHash), [ownerId, nowMs]);
  }

  /** The connection is the kubbi store's: it closes it. */
  async close(): Promise<void> {}
}
