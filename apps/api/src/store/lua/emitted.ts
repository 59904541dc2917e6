import type { EventType } from "../../events/types.js";
import { text } from "./script.js";

/**
 * An event a kubbi script wrote (id set: one Redis) or left for the store to append in the owner's slot
 * (id '': a cluster), with what the append needs. See KUBBI_EVENTS in event-log.ts.
 */
export interface EmittedEvent {
  id: string;
  type: EventType;
  ownerId: string;
  kubbiId: string;
  at: number;
  retrievalCount: number;
  maxRetrievals: number | null;
  ip: string;
  ua: string;
}

/** A kubbi script's result and the events it emitted. */
export interface EmittedEvents<Value> {
  events: EmittedEvent[];
  value: Value;
}

/** The {id, type, ownerId, kubbiId, at, n, m, ip, ua} entries a kubbi script replies with. */
export function decodeEmitted(reply: unknown): EmittedEvent[] {
  return (reply as unknown[][]).map(([id, type, ownerId, kubbiId, at, count, max, ip, ua]) => ({
    id: text(id),
    type: text(type) as EventType,
    ownerId: text(ownerId),
    kubbiId: text(kubbiId),
    at: Number(text(at)),
    retrievalCount: Number(text(count)),
    maxRetrievals: text(max) === "" ? null : Number(text(max)),
    ip: text(ip),
    ua: text(ua),
  }));
}
