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
import { waitForReplicas, type ReplicaWaitSettings } from "../replica-wait.js";
import { hashToRequest, requestPurgeAt, requestToHash } from "./record-codec.js";
import type { BeginFillOutcome, CancelOutcome, RequestRecord, RequestStore, TakenBy } from "./request-store.js";

/**
 * Request links on the kubbi store's connection (one server or a cluster client). Every call touches
 * one hash tag: a request's state under its fill hash, its id index under the owner's (keys.ts). The
 * delivery's kubbi lives under kb:{tokenHash}:*, another slot: services/requests.ts orders the steps.
 * A write the requester or the filler is told succeeded (create, a delivery's finish, cancel) waits for
 * KUBBI_REDIS_WAIT_REPLICAS as a kubbi's create does: a failover then cannot lose the fill link, the
 * sealed claim token of a delivered kubbi, or a cancel.
 */
export class RedisRequestStore implements RequestStore {
  constructor(
    private readonly redis: RedisClient,
    /** The kubbi store's command timeout (a call that has not answered fails, 503) and replica wait. */
    private readonly settings: ReplicaWaitSettings,
  ) {
    for (const { name, numberOfKeys, lua } of REQUEST_SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
  }

  private bounded<T>(pending: Promise<T>): Promise<T> {
    return withDeadline(pending, this.settings.commandTimeoutMs);
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
    const idKey = ownerRequestKey(record.ownerId, record.id);
    await this.bounded(this.redis.set(idKey, record.fillHash, "PXAT", purgeAt));
    await waitForReplicas(this.redis, this.settings, [requestKey(record.fillHash), idKey]);
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

  async beginFill(fillHash: string, takenBy: TakenBy, nowMs: number): Promise<BeginFillOutcome> {
    return this.run(BEGIN_FILL, requestKey(fillHash), [nowMs, takenBy.kubbiId, takenBy.sealedClaimToken]);
  }

  /** The wait covers beginFill's write too (WAIT counts every earlier write on the connection): the sealed claim token. */
  async finishFill(fillHash: string): Promise<void> {
    await this.run(FINISH_FILL, requestKey(fillHash), []);
    await waitForReplicas(this.redis, this.settings, [requestKey(fillHash)]);
  }

  async abortFill(fillHash: string, kubbiId: string): Promise<void> {
    await this.run(ABORT_FILL, requestKey(fillHash), [kubbiId]);
  }

  async cancel(fillHash: string, ownerId: string, nowMs: number): Promise<CancelOutcome> {
    const outcome = await this.run(CANCEL_REQUEST, requestKey(fillHash), [ownerId, nowMs]);
    if (outcome === "ok") await waitForReplicas(this.redis, this.settings, [requestKey(fillHash)]);
    return outcome;
  }

  /** The connection is the kubbi store's: it closes it. */
  async close(): Promise<void> {}
}
