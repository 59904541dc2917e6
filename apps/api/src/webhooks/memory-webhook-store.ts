import type { KubbiEvent } from "../events/types.js";
import type { StoredEndpoint } from "./endpoint.js";
import type { QueuedDelivery, WebhookStore } from "./webhook-store.js";

/** The in-process event log's read, as the events store offers it: the owner's events after an id, oldest first. */
export type OwnerEventReader = (ownerId: string, afterId: string | null, limit: number) => Promise<KubbiEvent[]>;

interface OwnerQueue {
  endpoint: StoredEndpoint;
  /** The group's position: the last event handed out (like a consumer group's last-delivered-id). */
  lastHandedOut: string;
  /** Handed out, not acknowledged, in id order. */
  pending: Map<string, QueuedDelivery>;
}

/** The in-process equivalent of the Redis consumer group: same semantics, one process, nothing survives a restart. */
export class MemoryWebhookStore implements WebhookStore {
  private readonly owners = new Map<string, OwnerQueue>();

  constructor(
    private readonly readOwnerEvents: OwnerEventReader,
    private readonly now: () => number = Date.now,
  ) {}

  async getEndpoint(ownerId: string): Promise<StoredEndpoint | null> {
    return this.owners.get(ownerId)?.endpoint ?? null;
  }

  async setEndpoint(ownerId: string, endpoint: StoredEndpoint): Promise<void> {
    const queue = this.owners.get(ownerId);
    if (queue) queue.endpoint = endpoint;
    // A new queue starts at the end of the log, as XGROUP CREATE ... $ does.
    else this.owners.set(ownerId, { endpoint, lastHandedOut: await this.lastEventId(ownerId), pending: new Map() });
  }

  private async lastEventId(ownerId: string): Promise<string> {
    let last = `${this.now()}-0`;
    for (let page = await this.readOwnerEvents(ownerId, null, 1000); page.length > 0; ) {
      last = page.at(-1)!.id;
      page = await this.readOwnerEvents(ownerId, last, 1000);
    }
    return last;
  }

  async deleteEndpoint(ownerId: string): Promise<boolean> {
    return this.owners.delete(ownerId);
  }

  async ownersWithEndpoints(): Promise<string[]> {
    return [...this.owners.keys()];
  }

  // One process: the lease is always this process's.
  async acquireLease(): Promise<boolean> {
    return true;
  }

  async renewLease(ownerId: string): Promise<boolean> {
    return this.owners.has(ownerId);
  }

  async releaseLease(): Promise<void> {}

  async claimPending(ownerId: string, _consumer: string, cursor: string, count: number) {
    const pending = [...(this.owners.get(ownerId)?.pending.values() ?? [])].filter(
      ({ event }) => cursor === "0-0" || compareIds(event.id, cursor) >= 0,
    );
    const batch = pending.slice(0, count);
    for (const delivery of batch) delivery.deliveries += 1;
    return { next: pending[count]?.event.id ?? "0-0", deliveries: batch.map((delivery) => ({ ...delivery })) };
  }

  async readNew(ownerId: string, _consumer: string, count: number) {
    const queue = this.owners.get(ownerId);
    if (!queue) return { full: false, deliveries: [] };
    const events = await this.readOwnerEvents(ownerId, queue.lastHandedOut, count);
    for (const event of events) queue.pending.set(event.id, { event, deliveries: 1 });
    if (events.length > 0) queue.lastHandedOut = events.at(-1)!.id;
    return { full: events.length >= count, deliveries: events.map((event) => ({ event, deliveries: 1 })) };
  }

  async acknowledge(ownerId: string, eventIds: string[]): Promise<void> {
    const queue = this.owners.get(ownerId);
    for (const id of eventIds) queue?.pending.delete(id);
  }
}

/** Stream ids "<ms>-<seq>" in order. */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split("-").map(Number) as [number, number];
  const [bMs, bSeq] = b.split("-").map(Number) as [number, number];
  return aMs - bMs || aSeq - bSeq;
}
