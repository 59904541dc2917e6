import { Router, type RequestHandler } from "express";
import { producerOf } from "../http/producer-auth.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { cancelRequest, createRequest, getRequest } from "../services/requests.js";
import { createRequestSchema } from "../validation/create-request.js";

/** The requester's routes: /api/v1/requests, behind the same producer chain as /api/v1/kubbis. */
export function requestsRouter(context: ServiceContext, producerChain: RequestHandler[]): Router {
  const schema = createRequestSchema({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });
  const router = Router();
  router.use(rememberRouteBase, ...producerChain);

  router.post("/", async (req, res) => {
    res.status(201).json(await createRequest(context, schema, producerOf(res), req.body));
  });
  router.get("/:id", async (req, res) => {
    res.json(await getRequest(context, producerOf(res), req.params.id));
  });
  router.delete("/:id", async (req, res) => {
    res.json(await cancelRequest(context, producerOf(res), req.params.id));
  });
  return router;
}
