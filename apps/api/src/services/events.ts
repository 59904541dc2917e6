import type { EventList } from "@kubbi/openapi";
import { eventJson } from "../events/codec.js";
import type { EventPage } from "../events/types.js";
import type { EventQuery } from "../validation/event-query.js";
import type { Producer, ServiceContext } from "./context.js";
import { findOwned } from "./kubbis.js";

/** One page as the wire shows it: next_since resumes after its last event (or where the caller was). */
function eventListView({ events, hasMore, lastId }: EventPage, since: string | undefined) {
  return {
    events: events.map(eventJson),
    next_since: lastId ?? since ?? null,
    has_more: hasMore,
  } satisfies EventList;
}

/** The key's events, oldest first, after `since`. */
export async function listEvents(context: ServiceContext, producer: Producer, { since, limit }: EventQuery) {
  return eventListView(await context.store.readOwnerEvents(producer.keyId, since ?? null, limit), since);
}

/** One kubbi's events: owner only (another key's kubbi is 404, as for every producer route). */
export async function listKubbiEvents(
  context: ServiceContext,
  producer: Producer,
  id: string,
  { since, limit }: EventQuery,
) {
  const record = await findOwned(context, producer, id);
  return eventListView(await context.store.readKubbiEvents(producer.keyId, record.id, since ?? null, limit), since);
}
