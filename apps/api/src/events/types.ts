import { EVENT_TYPES, type Event, type EventType } from "@kubbi/openapi";
import type { EventClient } from "../store/store.js";

/** The event types, generated from the spec's EventType enum (packages/openapi). */
export { EVENT_TYPES, type EventType };

/** An event as the REST API, the audit log and webhook `data` show it: the spec's Event (EVENTS.md). */
export type KubbiEvent = Event;

/** An event as the store keeps it (one stream entry of the owner's stream), before it is shown. */
export interface EventRecord {
  /** The stream entry id, `<ms>-<seq>`: ordered per owner. */
  id: string;
  /** The owner's API key id (the stream is the owner's: not stored in the entry). */
  ownerId: string;
  type: EventType;
  kubbiId: string;
  /** Epoch ms on the API's clock. */
  at: number;
  /** Retrievals after the event. */
  retrievalCount: number;
  maxRetrievals: number | null;
  /** The consumer, for consumer actions; null for the producer's and for expiry. */
  client: EventClient | null;
}

/** One page of events, oldest first. */
export interface EventPage {
  events: EventRecord[];
  /** More events were already stored after the last one on this page. */
  hasMore: boolean;
  /** The last entry this page read, shown or skipped (an unknown type): where the next page starts. */
  lastId: string | null;
}

/** Told about every event this process's store writes, once it is stored (the audit log listens here). */
export type EventSink = (events: EventRecord[]) => void;
