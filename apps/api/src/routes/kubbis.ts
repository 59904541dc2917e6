import type { Express, Request, RequestHandler, Response } from "express";
import { validationError } from "../errors.js";
import { producerOf } from "../http/producer-auth.js";
import { sendJson } from "../http/send-json.js";
import type { ServiceContext } from "../services/context.js";
import { listKubbiEvents } from "../services/events.js";
import { withIdempotency } from "../services/idempotency.js";
import { createKubbi, deleteKubbi, getKubbi, listKubbis, withCurrentStatus } from "../services/kubbis.js";
import { createKubbiSchemas, issuesToMessages, parseCreateKubbi } from "../validation/create-kubbi.js";
import { eventQuerySchema } from "../validation/event-query.js";
import { listQuerySchema } from "../validation/list-query.js";

const BASE = "/api/v1/kubbis";
type IdParams = { id: string };

/**
 * Producer routes: /api/v1/kubbis, each behind the producer chain (authentication, the key's rate
 * limit), which for the create also reads the JSON body. Mounted on the app itself rather than as a router:
 * a create is the hottest producer request, and a router adds a second stack to walk.
 */
export function mountKubbiRoutes(
  app: Express,
  context: ServiceContext,
  chains: { producer: RequestHandler; producerWithBody: RequestHandler },
): void {
  const schemas = createKubbiSchemas({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });

  app.post(BASE, chains.producerWithBody, async (req, res) => {
    const producer = producerOf(res);
    // Validated before the idempotency step, which fingerprints the body: a hostile one never gets that far.
    const parsed = parseCreateKubbi(schemas, req.body);
    if ("problems" in parsed) throw validationError(parsed.problems);
    const { body, replayed } = await withIdempotency(
      context,
      producer,
      req.get("idempotency-key"),
      req.body,
      () => createKubbi(context, producer, parsed),
      (replayedBody) => withCurrentStatus(context, producer, replayedBody),
    );
    if (replayed) res.setHeader("Idempotent-Replayed", "true");
    sendJson(res, 201, JSON.stringify(body));
  });

  app.get(BASE, chains.producer, async (req, res) => {
    const query = listQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(issuesToMessages(query.error));
    res.json(await listKubbis(context, producerOf(res), query.data.page, query.data.limit));
  });

  app.get(`${BASE}/:id`, chains.producer, async (req: Request<IdParams>, res: Response) => {
    res.json(await getKubbi(context, producerOf(res), req.params.id));
  });

  // What happened to it (EVENTS.md); the key's events of every kubbi are /api/v1/events.
  app.get(`${BASE}/:id/events`, chains.producer, async (req: Request<IdParams>, res: Response) => {
    const query = eventQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(issuesToMessages(query.error));
    res.json(await listKubbiEvents(context, producerOf(res), req.params.id, query.data));
  });

  app.delete(`${BASE}/:id`, chains.producer, async (req: Request<IdParams>, res: Response) => {
    res.json(await deleteKubbi(context, producerOf(res), req.params.id));
  });
}
