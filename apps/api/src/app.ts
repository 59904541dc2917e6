import express, { type Express } from "express";
import type { Logger } from "pino";
import type { ApiKeyRegistry } from "./auth/api-keys.js";
import { ApiError } from "./errors.js";
import { favicon, pageAsset } from "./claim-page/assets.js";
import { docsAsset } from "./docs/assets.js";
import { loadOpenApiJson } from "./docs/openapi-document.js";
import { sendReferencePage } from "./docs/reference-page.js";
import type { Drain } from "./http/draining.js";
import { errorHandler } from "./http/error-handler.js";
import { BodyReader } from "./http/body-reader.js";
import { planJsonBody } from "./http/json-body.js";
import { methodGate } from "./http/method-gate.js";
import { everyRequest, inSequence } from "./http/request-steps.js";
import { producerAuth } from "./http/producer-auth.js";
import { producerRateLimit } from "./http/rate-limit.js";
import { requestContext } from "./http/request-context.js";
import { fillPageAsset } from "./fill-page/assets.js";
import { applyWriteTimeout } from "./http/write-timeout.js";
import { metricsRoute } from "./metrics/exposure.js";
import { mountClaimRoutes } from "./routes/claims.js";
import { fillRouter } from "./routes/fill.js";
import { liveness, readiness } from "./routes/health.js";
import { eventsRouter } from "./routes/events.js";
import { home } from "./routes/home.js";
import { mountKubbiRoutes } from "./routes/kubbis.js";
import { mcpRouter } from "./routes/mcp.js";
import { requestsRouter } from "./routes/requests.js";
import { webhookRouter } from "./routes/webhook.js";
import type { ServiceContext } from "./services/context.js";

export interface AppDependencies {
  context: ServiceContext;
  registry: ApiKeyRegistry;
  logger: Logger;
  drain: Drain;
}

/** Middleware order: drain tracking, request id and headers, 405 for undeclared methods, routes (each with its own auth and limits), 404, errors. Every response has the write timeout. */
export function createApp({ context, registry, logger, drain }: AppDependencies): Express {
  const { config } = context;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (config.trustProxy !== undefined) app.set("trust proxy", config.trustProxy);
  const openApiJson = loadOpenApiJson();

  applyWriteTimeout(app, config.writeTimeoutMs);
  app.use(everyRequest(drain.track, requestContext(logger, context.metrics), methodGate()));
  // Authentication, then the key's rate limit, then (on routes that take one) its body limit: one chain,
  // shared by REST and MCP, so both count against the same per-key limits and the same large-body
  // slots (one body reader instance).
  const bodies = new BodyReader({
    largeBodySlots: config.maxConcurrentLargeBodies,
    timeoutMs: config.bodyTimeoutMs,
    minBytesPerSecond: config.bodyMinBytesPerSecond,
  });
  const jsonBody = planJsonBody(bodies);
  const auth = producerAuth(registry);
  const rateLimit = producerRateLimit(context.store, context.now);
  const producer = inSequence(auth, rateLimit);
  const producerWithBody = inSequence(auth, rateLimit, jsonBody);
  // The hot routes first, mounted directly: a claim or a create walks past no other route to get there.
  mountClaimRoutes(app, context);
  mountKubbiRoutes(app, context, { producer, producerWithBody });
  app.get("/", home(context));
  app.get("/healthz", liveness);
  app.get(
    "/readyz",
    readiness(context.store, () => drain.isDraining),
  );
  app.get("/openapi.json", (_req, res) => void res.type("json").send(openApiJson));
  app.get("/docs", sendReferencePage);
  app.get("/docs/assets/:name", docsAsset);
  app.get("/assets/:name", pageAsset);
  app.get("/assets/fill/:name", fillPageAsset);
  app.get("/favicon.ico", favicon);
  // Behind a token on this port only when no port of their own is configured.
  if (config.metricsToken !== undefined && config.metricsPort === undefined) {
    app.get("/metrics", metricsRoute(context.metrics, config.metricsToken));
  }
  // The key's events of every kubbi (EVENTS.md): a read, so no body reader.
  app.use("/api/v1/events", eventsRouter(context, [producer]));
  // Request links (docs/request-links.md): the requester's routes, and the fill link's.
  app.use("/api/v1/requests", requestsRouter(context, [producerWithBody]));
  app.use("/f", fillRouter(context, bodies));
  // Signed webhooks (docs/webhooks.md): the key's endpoint.
  app.use("/api/v1/webhook", webhookRouter(context, [producerWithBody]));
  // MCP over Streamable HTTP: the same tools as `npx @kubbi.ai/mcp`, in-process, with the caller's key.
  app.use("/mcp", mcpRouter(context, [producerWithBody], logger));
  app.use(() => {
    throw new ApiError("not_found", "There is no such route.");
  });
  app.use(errorHandler(logger, context.metrics));
  return app;
}
