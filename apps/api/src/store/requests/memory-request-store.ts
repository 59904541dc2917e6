import { requestPurgeAt } from "./record-codec.js";
import type { BeginFillOutcome, CancelOutcome, RequestRecord, RequestStore, TakenBy } from "./request-store.js";

interface Entry {
  record: RequestRecord;
  purgeAt: number;
}

const SWEEP_INTERVAL_MS = 30_000;

/** The in-process twin of the Redis request store: each method runs in one turn of the event loop, as atomic as its script. */
export class MemoryRequestStore implements RequestStore {
  private readonly requests = new Map<string, Entry>();
  private readonly fillHashById = new Map<string, string>();
  // Reads purge lazily; the timer frees requests nobody reads again.
  private readonly sweeper = setInterval(() => {
    for (const fillHash of this.requests.keys()) this.live(fillHash);
  }, SWEEP_INTERVAL_MS).unref();

  async create(record: RequestRecord, retentionMs: number): Promise<void> {
    this.requests.set(record.fillHash, { record: { ...record }, purgeAt: requestPurgeAt(record, retentionMs) });
    this.fillHashById.set(record.id, record.fillHash);
  }

  private live(fillHash: string): RequestRecord | null {
    const entry = this.requests.get(fillHash);
    if (entry && Date.now() >= entry.purgeAt) {
      this.requests.delete(fillHash);
      this.fillHashById.delete(entry.record.id);
      return null;
    }
    return entry?.record ?? null;
  }

  async findByFillHash(fillHash: string): Promise<RequestRecord | null> {
    const record = this.live(fillHash);
    return record ? { ...record } : null;
  }

  async findById(ownerId: string, id: string): Promise<RequestRecord | null> {
    const fillHash = this.fillHashById.get(id);
    const record = fillHash ? this.live(fillHash) : null;
    return record?.ownerId === ownerId ? { ...record } : null;
  }

  async beginFill(fillHash: string, takenBy: TakenBy, nowMs: number): Promise<BeginFillOutcome> {
    const record = this.live(fillHash);
    if (!record) return "not_found";
    if (record.status !== "open") return record.status;
    if (nowMs >= record.expiresAt) return "expired";
    Object.assign(record, { status: "fulfilling", ...takenBy, fulfilledAt: nowMs });
    return "ok";
  }

  async finishFill(fillHash: string): Promise<void> {
    const record = this.live(fillHash);
    if (record?.status === "fulfilling") record.status = "fulfilled";
  }

  async abortFill(fillHash: string, kubbiId: string): Promise<void> {
    const record = this.live(fillHash);
    if (record?.status === "fulfilling" && record.kubbiId === kubbiId) {
      Object.assign(record, { status: "open", kubbiId: null, sealedClaimToken: null, fulfilledAt: null });
    }
  }

  async cancel(fillHash: string, ownerId: string, nowMs: number): Promise<CancelOutcome> {
    const record = this.live(fillHash);
    if (!record || record.ownerId !== ownerId) return "not_found";
    if (record.status !== "open") return record.status;
    if (nowMs >= record.expiresAt) return "expired";
    record.status = "cancelled";
    return "ok";
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
