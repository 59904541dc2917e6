import type { Plan } from "../config.js";
import type { EventPage } from "../events/types.js";

/**
 * Storage holds bytes and atomicity, nothing else: it never sees a claim token, an API key or a
 * plaintext payload. Both stores (Redis and in-process) implement exactly these semantics.
 */

export type KubbiStatus = "active" | "burned" | "expired" | "deleted";
export type KubbiKind = "single" | "package";

/** Everything stored about a kubbi except its sealed payload. Times are epoch milliseconds. */
export interface KubbiRecord {
  id: string;
  /** base64url SHA-256 of the claim token: the kubbi's storage key. */
  tokenHash: string;
  ownerId: string;
  kind: KubbiKind;
  status: KubbiStatus;
  /** For a single payload: text/plain or application/json; empty for a package. */
  contentType: string;
  fileCount: number;
  totalSizeBytes: number;
  maxRetrievals: number | null;
  retrievalCount: number;
  firstRetrievedAt: number | null;
  lastRetrievedAt: number | null;
  /** Who made the most recent retrieval (null before the first); a rolled-back one is undone. */
  lastClaimClient: EventClient | null;
  /** Inspects of the claim URL: counted, never events. */
  inspectCount: number;
  lastInspectedAt: number | null;
  createdAt: number;
  expiresAt: number;
  keyId: string;
  epoch: number;
  /**
   * Metadata and manifest, sealed under the server-side info key; stored apart from the state and
   * removed with the payload (burn, delete, expiry), so it is empty for a kubbi that is gone.
   */
  sealedInfo: Buffer;
}

/** A consumer as an event and the producer's view name it (never the claim token or anything secret). */
export interface EventClient {
  address: string;
  /** Control characters removed, at most 200 characters; '' when none was sent. */
  userAgent: string;
}

export interface NewKubbi {
  record: KubbiRecord;
  sealedPayload: Buffer;
  /** How long the tombstone outlives the payload. */
  retentionMs: number;
  maxActiveKubbis: number;
}

export type CreateOutcome = "created" | "quota_exceeded";

export type ClaimOutcome =
  | {
      kind: "claimed";
      record: KubbiRecord;
      sealedPayload: Buffer;
      burned: boolean;
      previousFirstRetrievedAt: number | null;
      previousLastRetrievedAt: number | null;
      previousClaimClient: EventClient | null;
    }
  | { kind: "gone"; status: Exclude<KubbiStatus, "active"> }
  | { kind: "too_large" }
  | { kind: "not_found" };

/** "ok": this call deleted it; otherwise why it could not (a status means it was already gone). */
export type DeleteOutcome = "ok" | "not_found" | Exclude<KubbiStatus, "active">;

export interface ListPage {
  total: number;
  records: KubbiRecord[];
}

export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in the current window (0 once over the limit). */
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
}

export interface StoredApiKey {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  /** Plan overrides; absent fields take the server defaults. */
  plan: Partial<Plan>;
}

export type IdempotencyBegin = { state: "started" } | { state: "in_progress" } | { state: "completed"; value: Buffer };

export interface KubbiStore {
  readonly kind: "redis" | "memory";
  create(kubbi: NewKubbi, nowMs: number): Promise<CreateOutcome>;
  /**
   * Atomic: check, count, stamp, and on the last allowed retrieval wipe the payload and its info and mark
   * burned; the claimed (and burned) events, with the client, in the same step. An active kubbi whose
   * payload is over maxPayloadBytes is left as it is: too_large.
   */
  claim(tokenHash: string, nowMs: number, client: EventClient, maxPayloadBytes?: number): Promise<ClaimOutcome>;
  /**
   * Undoes one committed claim that could not be answered (a decrypt failure, a response that could not
   * be built), with a claim_failed event naming the claim's client (record.lastClaimClient).
   */
  restoreClaim(claimed: Extract<ClaimOutcome, { kind: "claimed" }>, nowMs: number): Promise<void>;
  /** Read only: never counts, never changes state. Status is derived (active with no payload = expired). */
  findByTokenHash(tokenHash: string, nowMs: number): Promise<KubbiRecord | null>;
  /** findByTokenHash for the consumer's inspect: an active kubbi also counts the inspect (never an event). */
  inspect(tokenHash: string, nowMs: number): Promise<KubbiRecord | null>;
  /** Scoped to the owner: another key's kubbi is not found. */
  findById(ownerId: string, id: string, nowMs: number): Promise<KubbiRecord | null>;
  /** Atomic against claims: one clean winner, payload and info wiped, its event written. Only the owner may delete. */
  delete(tokenHash: string, ownerId: string, nowMs: number): Promise<DeleteOutcome>;
  /** The owner's kubbis, newest first. */
  listByOwner(ownerId: string, offset: number, limit: number, nowMs: number): Promise<ListPage>;
  /** Token hashes of the owner's kubbis that are still active (for purging a revoked key). */
  activeTokenHashes(ownerId: string, nowMs: number): Promise<string[]>;
  /**
   * Fixed-window counter for one bucket, counted in process (the Redis store shares the counts in the
   * background), so it answers at once: no promise on every limited request's path.
   */
  hitRateLimit(bucket: string, limit: number, windowMs: number, nowMs: number): RateLimitResult;

  findApiKey(keyHash: string): Promise<StoredApiKey | null>;
  saveApiKey(keyHash: string, key: StoredApiKey): Promise<void>;
  listApiKeys(): Promise<StoredApiKey[]>;
  /** The ids of every stored API key, revoked ones included (the periodic jobs' owners): one read, whatever their number. */
  listApiKeyIds(): Promise<string[]>;
  /**
   * Whether this process runs a periodic job this time: the first of all API processes to ask gets the turn,
   * for forMs, and the others skip their pass (one process, not each, does the job's work per interval).
   */
  takeTurn(job: PeriodicJob, forMs: number): Promise<boolean>;
  revokeApiKey(id: string, nowMs: number): Promise<boolean>;

  /** Reserves an idempotency slot, or reports the one already there. */
  beginIdempotent(slot: string, pendingTtlMs: number, nowMs: number): Promise<IdempotencyBegin>;
  completeIdempotent(slot: string, value: Buffer, ttlMs: number, nowMs: number): Promise<void>;
  abandonIdempotent(slot: string): Promise<void>;

  /**
   * The expiry scheduler's step: every kubbi of these owners still active past its TTL becomes expired
   * with one kubbi.expired event, exactly once however many processes run it (no keyspace scan).
   */
  expireDue(ownerIds: string[], nowMs: number): Promise<void>;
  /** The owner's events after afterId (exclusive; null: from the oldest kept), oldest first. */
  readOwnerEvents(ownerId: string, afterId: string | null, limit: number): Promise<EventPage>;
  /** One kubbi's events (the caller has checked it is the owner's), oldest first, paged like readOwnerEvents. */
  readKubbiEvents(ownerId: string, kubbiId: string, afterId?: string | null, limit?: number): Promise<EventPage>;

  /** Drops index entries past their purge time for these owners (bounded work per owner, no keyspace scan). */
  sweepOwnerIndexes(ownerIds: string[], nowMs: number): Promise<void>;

  /** Resolves when storage can serve: every Redis master answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The jobs every API process runs on a timer, whose turns the processes share (KubbiStore.takeTurn). */
export type PeriodicJob = "expiry-check" | "index-sweep";

/** What a create decides about a new kubbi; the rest of its record is the same for every new kubbi. */
export type NewKubbiFields = Omit<
  KubbiRecord,
  | "status"
  | "retrievalCount"
  | "firstRetrievedAt"
  | "lastRetrievedAt"
  | "lastClaimClient"
  | "inspectCount"
  | "lastInspectedAt"
>;

/** A new kubbi's record: active, never retrieved, never inspected. */
export function newKubbiRecord(fields: NewKubbiFields): KubbiRecord {
  return {
    ...fields,
    status: "active",
    retrievalCount: 0,
    firstRetrievedAt: null,
    lastRetrievedAt: null,
    lastClaimClient: null,
    inspectCount: 0,
    lastInspectedAt: null,
  };
}

/** Status as a reader should see it: an active kubbi past its expiry or without payload is expired. */
export function effectiveStatus(record: KubbiRecord, payloadPresent: boolean, nowMs: number): KubbiStatus {
  if (record.status === "active" && (!payloadPresent || nowMs >= record.expiresAt)) return "expired";
  return record.status;
}
