import { Router } from "express";
import type { ApiKeyRegistry } from "../auth/api-keys.js";
import { validationError } from "../errors.js";
import type { planJsonBody } from "../http/json-body.js";
import { producerAuth, producerOf } from "../http/producer-auth.js";
import { producerRateLimit } from "../http/rate-limit.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { withIdempotency } from "../services/idempotency.js";
import { createKubbi, deleteKubbi, getKubbi, listKubbis } from "../services/kubbis.js";
import { createKubbiSchemas, issuesToMessages } from "../validation/create-kubbi.js";
import { listQuerySchema } from "../validation/list-query.js";

/** Producer routes: /api/v1/kubbis. Authentication, then the key's rate limit, then its body limit. */
export function kubbisRouter(context: ServiceContext, registry: ApiKeyRegistry, jsonBody: ReturnType<typeof planJsonBody>): Router {
  const schemas = createKubbiSchemas({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });
  const router = Router();
  router.use(rememberRouteBase, producerAuth(registry), producerRateLimit(context.store, context.now), jsonBody);

  router.post("/", async (req, res) => {
    const producer = producerOf(res);
    const { body, replayed } = await withIdempotency(context, producer, req.get("idempotency-key"), req.body, () =>
      createKubbi(context, schemas, producer, req.body),
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

  router.delete("/:id", async (req, res) => {
    res.json(await deleteKubbi(context, producerOf(res), req.params.id));
  });

  return router;
}
