import { iso } from "../services/views.js";
import type { EventClient } from "../store/store.js";
import { EVENT_TYPES, type EventRecord, type EventType, type KubbiEvent } from "./types.js";

/**
 * Stream entry fields <-> events (EVENTS.md). Short names keep an entry small:
 *   t type · k kubbi id · at epoch ms · n retrievals after · m max retrievals ('' = unlimited)
 *   ip client address · ua user agent ('' for both unless a consumer action)
 * Never content, a claim token or its hash, file names, metadata or a key. The Lua that appends
 * entries (store/lua/event-log.ts) writes these same names.
 */
export const EVENT_FIELDS = ["t", "k", "at", "n", "m", "ip", "ua"] as const;

/** A stored address and user agent as a client: '' for both means none (a producer's action, expiry). */
export const storedClient = (address: string, userAgent: string): EventClient | null =>
  address || userAgent ? { address, userAgent } : null;

const text = (value: Buffer | string | undefined) => (value === undefined ? "" : value.toString());

/** An entry's values in EVENT_FIELDS order (what the append script takes after the type). */
export function entryValues(event: Omit<EventRecord, "id" | "ownerId">): string[] {
  return [
    event.type,
    event.kubbiId,
    String(event.at),
    String(event.retrievalCount),
    event.maxRetrievals === null ? "" : String(event.maxRetrievals),
    event.client?.address ?? "",
    event.client?.userAgent ?? "",
  ];
}

/**
 * One entry as XRANGE / XREADGROUP return it: its id and its flat [field, value, ...] list. Null for a type
 * this version does not know (written by a newer one during a rolling upgrade): readers skip it, never fail on it.
 */
export function entryToEvent(
  ownerId: string,
  id: Buffer | string,
  flat: ReadonlyArray<Buffer | string>,
): EventRecord | null {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[text(flat[i])] = text(flat[i + 1]);
  const type = fields.t as EventType;
  if (!EVENT_TYPES.includes(type)) return null;
  return {
    id: text(id),
    ownerId,
    type,
    kubbiId: fields.k ?? "",
    at: Number(fields.at),
    retrievalCount: Number(fields.n),
    maxRetrievals: fields.m ? Number(fields.m) : null,
    client: storedClient(fields.ip ?? "", fields.ua ?? ""),
  };
}

/** The Event JSON of the REST API, the audit log and webhook `data`. */
export function eventJson(event: EventRecord): KubbiEvent {
  return {
    id: event.id,
    type: event.type,
    occurred_at: iso(event.at),
    kubbi_id: event.kubbiId,
    key_id: event.ownerId,
    retrieval_count: event.retrievalCount,
    max_retrievals: event.maxRetrievals,
    retrievals_left: event.maxRetrievals === null ? null : Math.max(0, event.maxRetrievals - event.retrievalCount),
    client: event.client ? { address: event.client.address, user_agent: event.client.userAgent } : null,
  } satisfies KubbiEvent;
}
