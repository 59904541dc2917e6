import type { KubbiEvent } from "../events/types.js";
import type { StoredEndpoint } from "./endpoint.js";

/** An event waiting for delivery to its owner's endpoint; deliveries counts attempts handed out so far. */
export interface QueuedDelivery {
  event: KubbiEvent;
  deliveries: number;
}

/**
 * Endpoints and the delivery queue. On Redis the queue is the consumer group `webhooks` on each owner's
 * event stream, and one process at a time holds an owner's lease to deliver its events (in order); every
 * command touches one key or keys of one owner's hash tag (one cluster slot). The in-process store keeps
 * the same semantics, except that nothing survives a restart.
 */
export interface WebhookStore {
  getEndpoint(ownerId: string): Promise<StoredEndpoint | null>;
  /** Stores the endpoint; a new one starts its queue at the stream's end (events from now on). */
  setEndpoint(ownerId: string, endpoint: StoredEndpoint): Promise<void>;
  /** Removes the endpoint and its queue (pending deliveries are dropped). False when there was none. */
  deleteEndpoint(ownerId: string): Promise<boolean>;
  /** Owners with an endpoint: a registry, so the worker never scans the keyspace. */
  ownersWithEndpoints(): Promise<string[]>;

  /** Takes the owner's delivery lease if nobody holds it. */
  acquireLease(ownerId: string, consumer: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease this consumer holds; false when it is no longer this consumer's. */
  renewLease(ownerId: string, consumer: string, ttlMs: number): Promise<boolean>;
  releaseLease(ownerId: string, consumer: string): Promise<void>;

  /**
   * Moves pending deliveries (read but not acknowledged, by any consumer: a process that died) to this
   * consumer, oldest first, from cursor; returns them and the next cursor ("0-0" when done).
   */
  claimPending(
    ownerId: string,
    consumer: string,
    cursor: string,
    count: number,
  ): Promise<{ next: string; deliveries: QueuedDelivery[] }>;
  /**
   * Events never handed out yet, oldest first; they stay pending until acknowledged. full: count entries
   * were read (before skipping any with nothing to deliver), so more may be waiting.
   */
  readNew(ownerId: string, consumer: string, count: number): Promise<{ full: boolean; deliveries: QueuedDelivery[] }>;
  /** Done with these events: delivered, not subscribed, or given up. */
  acknowledge(ownerId: string, eventIds: string[]): Promise<void>;
}
