import { Router, type RequestHandler } from "express";
import { producerOf } from "../http/producer-auth.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { deleteWebhook, getWebhook, setWebhook } from "../services/webhooks.js";
import { setWebhookSchema } from "../validation/set-webhook.js";

/** The producer's webhook endpoint (docs/webhooks.md): one per API key. */
export function webhookRouter(context: ServiceContext, producerChain: RequestHandler[]): Router {
  const schema = setWebhookSchema(context.config.webhooks.allowPrivate);
  const router = Router();
  router.use(rememberRouteBase, ...producerChain);

  router.put("/", async (req, res) => {
    const { status, body } = await setWebhook(context, schema, producerOf(res), req.body);
    res.status(status).json(body);
  });
  router.get("/", async (_req, res) => {
    res.json(await getWebhook(context, producerOf(res)));
  });
  router.delete("/", async (_req, res) => {
    res.json(await deleteWebhook(context, producerOf(res)));
  });
  return router;
}
