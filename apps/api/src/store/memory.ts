import { compareEventIds, nextEventId } from "../events/event-ids.js";
import type { EventPage, EventRecord, EventSink, EventType } from "../events/types.js";
import {
  effectiveStatus,
  type EventClient,
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

interface Entry {
  record: KubbiRecord;
  sealedPayload: Buffer | null;
  purgeAt: number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 30_000;

export interface MemoryStoreOptions {
  /** Events older than this are dropped as new ones come; absent: kept while the process lives. */
  eventRetentionMs?: number;
  /** Told about every event once stored (the audit log). */
  onEvents?: EventSink;
}

/** A kubbi that is gone keeps only its tombstone: the payload and the sealed info go together. */
function wipe(entry: Entry): void {
  entry.sealedPayload = null;
  entry.record.sealedInfo = Buffer.alloc(0);
}

/**
 * The in-process store, for a zero-setup start: the Redis store's semantics, step for step.
 * Every method body runs synchronously inside one turn of the event loop, which makes each as
 * atomic as the Lua script it mirrors. Expiry is checked on access; a timer frees memory.
 */
export class MemoryStore implements KubbiStore {
  readonly kind = "memory";
  private readonly kubbis = new Map<string, Entry>();
  private readonly tokenHashById = new Map<string, string>();
  private readonly owners = new Map<string, Set<string>>();
  private readonly counters = new Map<string, Expiring<number>>();
  private readonly idempotent = new Map<string, Expiring<Buffer | "pending">>();
  private readonly apiKeys = new Map<string, StoredApiKey>();
  /** Each owner's events, oldest first: the Redis store's stream. */
  private readonly events = new Map<string, EventRecord[]>();
  private lastEventId: string | null = null;
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();

  constructor(private readonly options: MemoryStoreOptions = {}) {}

  async create(
    { record, sealedPayload, retentionMs, maxActiveKubbis }: NewKubbi,
    nowMs: number,
  ): Promise<CreateOutcome> {
    const owned = this.ownedBy(record.ownerId);
    let active = 0;
    for (const tokenHash of owned) if (this.live(tokenHash, nowMs)?.record.status === "active") active += 1;
    if (active >= maxActiveKubbis) return "quota_exceeded";
    this.kubbis.set(record.tokenHash, {
      record: { ...record },
      sealedPayload,
      purgeAt: record.expiresAt + retentionMs,
    });
    this.tokenHashById.set(record.id, record.tokenHash);
    owned.add(record.tokenHash);
    this.emit(record, "kubbi.created", nowMs, null);
    return "created";
  }

  async claim(tokenHash: string, nowMs: number, client: EventClient, maxPayloadBytes?: number): Promise<ClaimOutcome> {
    const entry = this.live(tokenHash, nowMs);
    if (!entry) return { kind: "not_found" };
    const { record } = entry;
    if (record.status !== "active") return { kind: "gone", status: record.status };
    if (maxPayloadBytes !== undefined && record.totalSizeBytes > maxPayloadBytes) return { kind: "too_large" };
    const sealedPayload = entry.sealedPayload!;
    const previousFirstRetrievedAt = record.firstRetrievedAt;
    const previousLastRetrievedAt = record.lastRetrievedAt;
    const previousClaimClient = record.lastClaimClient;
    record.retrievalCount += 1;
    record.firstRetrievedAt ??= nowMs;
    record.lastRetrievedAt = nowMs;
    record.lastClaimClient = { ...client };
    const burned = record.maxRetrievals !== null && record.retrievalCount >= record.maxRetrievals;
    // Read before a burn wipes it, as the claim script does: the claim still decrypts and shows it.
    const { sealedInfo } = record;
    if (burned) {
      record.status = "burned";
      wipe(entry);
    }
    this.emit(record, "kubbi.claimed", nowMs, client);
    if (burned) this.emit(record, "kubbi.burned", nowMs, client);
    return {
      kind: "claimed",
      record: { ...record, sealedInfo },
      sealedPayload,
      burned,
      previousFirstRetrievedAt,
      previousLastRetrievedAt,
      previousClaimClient,
    };
  }

  async restoreClaim(claimed: Extract<ClaimOutcome, { kind: "claimed" }>, nowMs: number): Promise<void> {
    const entry = this.kubbis.get(claimed.record.tokenHash);
    if (!entry) return;
    const { record } = entry;
    record.retrievalCount -= 1;
    record.firstRetrievedAt = claimed.previousFirstRetrievedAt;
    record.lastRetrievedAt = claimed.previousLastRetrievedAt;
    record.lastClaimClient = claimed.previousClaimClient;
    if (claimed.burned && record.status === "burned" && record.expiresAt > nowMs) {
      record.status = "active";
      entry.sealedPayload = claimed.sealedPayload;
      record.sealedInfo = claimed.record.sealedInfo;
    }
    this.emit(record, "kubbi.claim_failed", nowMs, claimed.record.lastClaimClient);
  }

  async findByTokenHash(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    const entry = this.live(tokenHash, nowMs);
    if (!entry) return null;
    const record = { ...entry.record };
    record.status = effectiveStatus(record, entry.sealedPayload !== null, nowMs);
    return record;
  }

  async inspect(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    const entry = this.live(tokenHash, nowMs);
    if (entry?.record.status === "active") {
      entry.record.inspectCount += 1;
      entry.record.lastInspectedAt = nowMs;
    }
    return this.findByTokenHash(tokenHash, nowMs);
  }

  async findById(ownerId: string, id: string, nowMs: number): Promise<KubbiRecord | null> {
    const tokenHash = this.tokenHashById.get(id);
    const record = tokenHash ? await this.findByTokenHash(tokenHash, nowMs) : null;
    return record?.ownerId === ownerId ? record : null;
  }

  async delete(tokenHash: string, ownerId: string, nowMs: number): Promise<DeleteOutcome> {
    const entry = this.live(tokenHash, nowMs);
    if (!entry || entry.record.ownerId !== ownerId) return "not_found";
    if (entry.record.status !== "active") return entry.record.status;
    entry.record.status = "deleted";
    wipe(entry);
    this.emit(entry.record, "kubbi.deleted", nowMs, null);
    return "ok";
  }

  async listByOwner(ownerId: string, offset: number, limit: number, nowMs: number): Promise<ListPage> {
    const records: KubbiRecord[] = [];
    for (const tokenHash of this.ownedBy(ownerId)) {
      const record = await this.findByTokenHash(tokenHash, nowMs);
      if (record) records.push(record);
    }
    // A Set iterates in insertion order, which is creation order: reversed, newest first, ties included.
    records.reverse();
    return { total: records.length, records: records.slice(offset, offset + limit) };
  }

  /** live() moves a kubbi past its TTL to expired, with its event: here for every kubbi of these owners. */
  async expireDue(ownerIds: string[], nowMs: number): Promise<void> {
    for (const ownerId of ownerIds) for (const tokenHash of this.owners.get(ownerId) ?? []) this.live(tokenHash, nowMs);
  }

  async readOwnerEvents(ownerId: string, afterId: string | null, limit: number): Promise<EventPage> {
    return page(this.eventsAfter(ownerId, afterId), limit);
  }

  async readKubbiEvents(
    ownerId: string,
    kubbiId: string,
    afterId: string | null = null,
    limit = 1000,
  ): Promise<EventPage> {
    return page(
      this.eventsAfter(ownerId, afterId).filter((event) => event.kubbiId === kubbiId),
      limit,
    );
  }

  async activeTokenHashes(ownerId: string, nowMs: number): Promise<string[]> {
    return [...this.ownedBy(ownerId)].filter((tokenHash) => this.live(tokenHash, nowMs)?.record.status === "active");
  }

  hitRateLimit(bucket: string, limit: number, windowMs: number, nowMs: number): RateLimitResult {
    const windowStart = Math.floor(nowMs / windowMs);
    const key = `${bucket}:${windowStart}`;
    const counter = this.counters.get(key) ?? { value: 0, expiresAt: (windowStart + 1) * windowMs };
    counter.value += 1;
    this.counters.set(key, counter);
    return {
      allowed: counter.value <= limit,
      remaining: Math.max(0, limit - counter.value),
      resetMs: counter.expiresAt - nowMs,
    };
  }

  async findApiKey(keyHash: string): Promise<StoredApiKey | null> {
    return this.apiKeys.get(keyHash) ?? null;
  }

  async saveApiKey(keyHash: string, key: StoredApiKey): Promise<void> {
    this.apiKeys.set(keyHash, { ...key });
  }

  async listApiKeys(): Promise<StoredApiKey[]> {
    return [...this.apiKeys.values()];
  }

  /** One process holds the in-process store: every turn is its own. */
  async takeTurn(): Promise<boolean> {
    return true;
  }

  async listApiKeyIds(): Promise<string[]> {
    return [...this.apiKeys.values()].map((key) => key.id);
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    for (const key of this.apiKeys.values()) {
      if (key.id === id) {
        key.revokedAt ??= nowMs;
        return true;
      }
    }
    return false;
  }

  async beginIdempotent(slot: string, pendingTtlMs: number, nowMs: number): Promise<IdempotencyBegin> {
    const existing = this.idempotent.get(slot);
    if (!existing || existing.expiresAt <= nowMs) {
      this.idempotent.set(slot, { value: "pending", expiresAt: nowMs + pendingTtlMs });
      return { state: "started" };
    }
    return existing.value === "pending" ? { state: "in_progress" } : { state: "completed", value: existing.value };
  }

  async completeIdempotent(slot: string, value: Buffer, ttlMs: number, nowMs: number): Promise<void> {
    this.idempotent.set(slot, { value, expiresAt: nowMs + ttlMs });
  }

  async abandonIdempotent(slot: string): Promise<void> {
    if (this.idempotent.get(slot)?.value === "pending") this.idempotent.delete(slot);
  }

  /** Entries leave with their kubbi here (see live()): nothing to do. */
  async sweepOwnerIndexes(): Promise<void> {}

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private ownedBy(ownerId: string): Set<string> {
    let owned = this.owners.get(ownerId);
    if (!owned) this.owners.set(ownerId, (owned = new Set()));
    return owned;
  }

  /** The entry with expiry applied as Redis would: payload gone at expires_at, tombstone at purgeAt. */
  private live(tokenHash: string, nowMs: number): Entry | undefined {
    const entry = this.kubbis.get(tokenHash);
    if (!entry) return undefined;
    if (nowMs >= entry.purgeAt) {
      this.drop(tokenHash, entry);
      return undefined;
    }
    if (entry.record.status === "active" && nowMs >= entry.record.expiresAt) {
      entry.record.status = "expired";
      wipe(entry);
      this.emit(entry.record, "kubbi.expired", nowMs, null);
    }
    return entry;
  }

  /** Appends an event built from the record as the change left it, trimming the owner's log by time. */
  private emit(record: KubbiRecord, type: EventType, nowMs: number, client: EventClient | null): void {
    this.lastEventId = nextEventId(this.lastEventId, nowMs);
    const event: EventRecord = {
      id: this.lastEventId,
      ownerId: record.ownerId,
      type,
      kubbiId: record.id,
      at: nowMs,
      retrievalCount: record.retrievalCount,
      maxRetrievals: record.maxRetrievals,
      client: client && { ...client },
    };
    let log = this.events.get(record.ownerId);
    if (!log) this.events.set(record.ownerId, (log = []));
    log.push(event);
    this.trimEvents(log, nowMs);
    this.options.onEvents?.([event]);
  }

  private trimEvents(log: EventRecord[], nowMs: number): void {
    const { eventRetentionMs } = this.options;
    if (eventRetentionMs === undefined) return;
    const kept = log.findIndex((event) => event.at >= nowMs - eventRetentionMs);
    log.splice(0, kept === -1 ? log.length : kept);
  }

  private eventsAfter(ownerId: string, afterId: string | null): EventRecord[] {
    const log = this.events.get(ownerId) ?? [];
    return afterId === null ? log : log.filter((event) => compareEventIds(event.id, afterId) > 0);
  }

  private drop(tokenHash: string, entry: Entry): void {
    this.kubbis.delete(tokenHash);
    this.tokenHashById.delete(entry.record.id);
    this.owners.get(entry.record.ownerId)?.delete(tokenHash);
  }

  private sweep(nowMs: number): void {
    for (const tokenHash of this.kubbis.keys()) this.live(tokenHash, nowMs);
    for (const [ownerId, log] of this.events) {
      this.trimEvents(log, nowMs);
      if (log.length === 0) this.events.delete(ownerId);
    }
    for (const [key, counter] of this.counters) if (counter.expiresAt <= nowMs) this.counters.delete(key);
    for (const [slot, held] of this.idempotent) if (held.expiresAt <= nowMs) this.idempotent.delete(slot);
  }
}

function page(events: EventRecord[], limit: number): EventPage {
  const shown = events.slice(0, limit);
  return { events: shown, hasMore: events.length > limit, lastId: shown.at(-1)?.id ?? null };
}
