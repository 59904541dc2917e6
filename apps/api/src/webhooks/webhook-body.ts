import type { KubbiEvent } from "../events/types.js";

/** The Standard Webhooks body: the event's type and time, and the event itself (EVENTS.md). Nothing else. */
export const webhookBody = (event: KubbiEvent) =>
  JSON.stringify({ type: event.type, timestamp: event.occurred_at, data: event });

/** Identical on every retry of an event, and unique across owners: receivers de-duplicate on it. */
export const webhookId = (event: KubbiEvent) => `${event.key_id}_${event.id}`;
