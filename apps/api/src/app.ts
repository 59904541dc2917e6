import express, { type Express } from "express";
import type { Logger } from "pino";
import type { ApiKeyRegistry } from "./auth/api-keys.js";
import { ApiError } from "./errors.js";
import { claimPageAsset } from "./claim-page/assets.js";
import { errorHandler } from "./http/error-handler.js";
import { planJsonBody } from "./http/json-body.js";
import { producerAuth } from "./http/producer-auth.js";
import { producerRateLimit } from "./http/rate-limit.js";
import { requestContext } from "./http/request-context.js";
import { fillPageAsset } from "./fill-page/assets.js";
import { claimsRouter } from "./routes/claims.js";
import { fillRouter } from "./routes/fill.js";
import { liveness, readiness } from "./routes/health.js";
import { kubbisRouter } from "./routes/kubbis.js";
import { mcpRouter } from "./routes/mcp.js";
import { requestsRouter } from "./routes/requests.js";
import type { ServiceContext } from "./services/context.js";

export interface AppDependencies {
  context: ServiceContext;
  registry: ApiKeyRegistry;
  logger: Logger;
  isDraining(): boolean;
}

/** Middleware order: request id and headers, routes (each with its own auth and limits), 404, errors. */
export function createApp({ context, registry, logger, isDraining }: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (context.config.trustProxy !== undefined) app.set("trust proxy", parseTrustProxy(context.config.trustProxy));

  app.use(requestContext(logger));
  // Mounted directly rather than as routers: every request would otherwise walk their stacks.
  app.get("/healthz", liveness);
  app.get("/readyz", readiness(context.store, isDraining));
  app.get("/assets/:name", claimPageAsset);
  app.get("/assets/fill/:name", fillPageAsset);
  // Authentication, then the key's rate limit, then its body limit: one chain, shared by REST and MCP, so
  // both count against the same per-key limits and the same large-body gate.
  const producerChain = [producerAuth(registry), producerRateLimit(context.store, context.now), planJsonBody(context.config.maxConcurrentLargeBodies)];
  app.use("/api/v1/kubbis", kubbisRouter(context, producerChain));
  app.use("/r", claimsRouter(context));
  // Request links (docs/request-links.md): the requester's routes, and the fill link's.
  app.use("/api/v1/requests", requestsRouter(context, producerChain));
  app.use("/f", fillRouter(context));
  // MCP over Streamable HTTP: the same tools as `npx @kubbi.ai/mcp`, in-process, with the caller's key.
  app.use("/mcp", mcpRouter(context, producerChain, logger));
  app.use(() => {
    throw new ApiError("not_found", "There is no such route.");
  });
  app.use(errorHandler(logger));
  return app;
}

/** "true", a hop count, or a comma-separated list of addresses/subnets, as Express takes them. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === "true" || value === "false") return value === "true";
  return /^\d+$/.test(value) ? Number(value) : value;
}
