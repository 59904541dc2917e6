import { Router, type RequestHandler } from "express";
import { validationError } from "../errors.js";
import { producerOf } from "../http/producer-auth.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { listKubbiEvents } from "../services/events.js";
import { withIdempotency } from "../services/idempotency.js";
import { createKubbi, deleteKubbi, getKubbi, listKubbis, withCurrentStatus } from "../services/kubbis.js";
import { createKubbiSchemas, issuesToMessages, parseCreateKubbi } from "../validation/create-kubbi.js";
import { eventQuerySchema } from "../validation/event-query.js";
import { listQuerySchema } from "../validation/list-query.js";

/** Producer routes: /api/v1/kubbis, behind the producer chain (authentication, the key's rate limit, its body limit). */
export function kubbisRouter(context: ServiceContext, producerChain: RequestHandler[]): Router {
  const schemas = createKubbiSchemas({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });
  const router = Router();
  router.use(rememberRouteBase, ...producerChain);

  router.post("/", async (req, res) => {
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
    res.status(201).json(body);
  });

  router.get("/", async (req, res) => {
    const query = listQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(issuesToMessages(query.error));
    res.json(await listKubbis(context, producerOf(res), query.data.page, query.data.limit));
  });

  router.get("/:id", async (req, res) => {
    res.json(await getKubbi(context, producerOf(res), req.params.id));
  });

  // What happened to it (EVENTS.md); the key's events of every kubbi are /api/v1/events.
  router.get("/:id/events", async (req, res) => {
    const query = eventQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(issuesToMessages(query.error));
    res.json(await listKubbiEvents(context, producerOf(res), req.params.id, query.data));
  });

  router.delete("/:id", async (req, res) => {
    res.json(await deleteKubbi(context, producerOf(res), req.params.id));
  });

  return router;
}
