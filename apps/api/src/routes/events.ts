import { Router, type RequestHandler } from "express";
import { validationError } from "../errors.js";
import { producerOf } from "../http/producer-auth.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { listEvents } from "../services/events.js";
import { issuesToMessages } from "../validation/create-kubbi.js";
import { eventQuerySchema } from "../validation/event-query.js";

/** /api/v1/events: the key's events, resumable with ?since (one kubbi's: /api/v1/kubbis/:id/events). */
export function eventsRouter(context: ServiceContext, producerChain: RequestHandler[]): Router {
  const router = Router();
  router.use(rememberRouteBase, ...producerChain);
  router.get("/", async (req, res) => {
    const query = eventQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(issuesToMessages(query.error));
    res.json(await listEvents(context, producerOf(res), query.data));
  });
  return router;
}
