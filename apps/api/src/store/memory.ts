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
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();

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
    return "created";
  }

  async claim(tokenHash: string, nowMs: number, maxPayloadBytes?: number): Promise<ClaimOutcome> {
    const entry = this.live(tokenHash, nowMs);
    if (!entry) return { kind: "not_found" };
    const { record } = entry;
    if (record.status !== "active") return { kind: "gone", status: record.status };
    if (maxPayloadBytes !== undefined && record.totalSizeBytes > maxPayloadBytes) return { kind: "too_large" };
    const sealedPayload = entry.sealedPayload!;
    const previousFirstRetrievedAt = record.firstRetrievedAt;
    const previousLastRetrievedAt = record.lastRetrievedAt;
    record.retrievalCount += 1;
    record.firstRetrievedAt ??= nowMs;
    record.lastRetrievedAt = nowMs;
    const burned = record.maxRetrievals !== null && record.retrievalCount >= record.maxRetrievals;
    // Read before a burn wipes it, as the claim script does: the claim still decrypts and shows it.
    const { sealedInfo } = record;
    if (burned) {
      record.status = "burned";
      wipe(entry);
    }
    return {
      kind: "claimed",
      record: { ...record, sealedInfo },
      sealedPayload,
      burned,
      previousFirstRetrievedAt,
      previousLastRetrievedAt,
    };
  }

  async restoreClaim(claimed: Extract<ClaimOutcome, { kind: "claimed" }>, nowMs: number): Promise<void> {
    const entry = this.kubbis.get(claimed.record.tokenHash);
    if (!entry) return;
    const { record } = entry;
    record.retrievalCount -= 1;
    record.firstRetrievedAt = claimed.previousFirstRetrievedAt;
    record.lastRetrievedAt = claimed.previousLastRetrievedAt;
    if (claimed.burned && record.status === "burned" && record.expiresAt > nowMs) {
      record.status = "active";
      entry.sealedPayload = claimed.sealedPayload;
      record.sealedInfo = claimed.record.sealedInfo;
    }
  }

  async findByTokenHash(tokenHash: string, nowMs: number): Promise<KubbiRecord | null> {
    const entry = this.live(tokenHash, nowMs);
    if (!entry) return null;
    const record = { ...entry.record };
    record.status = effectiveStatus(record, entry.sealedPayload !== null, nowMs);
    return record;
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

  async activeTokenHashes(ownerId: string, nowMs: number): Promise<string[]> {
    return [...this.ownedBy(ownerId)].filter((tokenHash) => this.live(tokenHash, nowMs)?.record.status === "active");
  }

  async hitRateLimit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult> {
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
    }
    return entry;
  }

  private drop(tokenHash: string, entry: Entry): void {
    this.kubbis.delete(tokenHash);
    this.tokenHashById.delete(entry.record.id);
    this.owners.get(entry.record.ownerId)?.delete(tokenHash);
  }

  private sweep(nowMs: number): void {
    for (const tokenHash of this.kubbis.keys()) this.live(tokenHash, nowMs);
    for (const [key, counter] of this.counters) if (counter.expiresAt <= nowMs) this.counters.delete(key);
    for (const [slot, held] of this.idempotent) if (held.expiresAt <= nowMs) this.idempotent.delete(slot);
  }
}
