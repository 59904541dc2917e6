/**
 * TEMPORARY until the events branch lands: the Event JSON and stream-entry decoding per EVENTS.md.
 * Replaced by apps/api/src/events/{types,codec}.ts at merge.
 */
export const EVENT_TYPES = [
  "kubbi.created",
  "kubbi.claimed",
  "kubbi.burned",
  "kubbi.expired",
  "kubbi.deleted",
  "kubbi.claim_failed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface KubbiEvent {
  id: string;
  type: EventType;
  occurred_at: string;
  kubbi_id: string;
  key_id: string;
  retrieval_count: number;
  max_retrievals: number | null;
  retrievals_left: number | null;
  client: { address: string; user_agent: string } | null;
}

export const eventStreamKey = (ownerId: string) => `own:{${ownerId}}:ev`;

export function decodeEvent(ownerId: string, id: string, fields: Record<string, string>): KubbiEvent {
  const count = Number(fields.n ?? 0);
  const max = fields.m ? Number(fields.m) : null;
  const consumer = (fields.ip ?? "") !== "" || (fields.ua ?? "") !== "";
  return {
    id,
    type: fields.t as EventType,
    occurred_at: new Date(Number(fields.at)).toISOString(),
    kubbi_id: fields.k ?? "",
    key_id: ownerId,
    retrieval_count: count,
    max_retrievals: max,
    retrievals_left: max === null ? null : Math.max(0, max - count),
    client: consumer ? { address: fields.ip ?? "", user_agent: fields.ua ?? "" } : null,
  };
}
