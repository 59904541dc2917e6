import { LIMITS } from "@kubbi/openapi";
import { z } from "zod";
import { EVENT_ID_PATTERN } from "../events/event-ids.js";
import { boundedInt } from "./list-query.js";

/** ?since=<event id>&limit= of the event routes: since is exclusive; limit within the spec's bounds. */
export const eventQuerySchema = z.object({
  since: z
    .string({ error: "must be an event id, <milliseconds>-<sequence>" })
    .regex(EVENT_ID_PATTERN, { error: "must be an event id, <milliseconds>-<sequence>" })
    .optional(),
  limit: boundedInt(LIMITS.eventPageSize),
});

export type EventQuery = z.infer<typeof eventQuerySchema>;
