import express, { type Express } from "express";
import type { Logger } from "pino";
import type { ApiKeyRegistry } from "./auth/api-keys.js";
import { ApiError } from "./errors.js";
import { createMcpHttpHandler } from "@kubbi.ai/mcp/http";
import { claimPageAsset } from "./claim-page/assets.js";
import type { Drain } from "./http/draining.js";
import { errorHandler } from "./http/error-handler.js";
import { planJsonBody } from "./http/json-body.js";
import { requestContext } from "./http/request-context.js";
import { writeTimeout } from "./http/write-timeout.js";
import { claimsRouter } from "./routes/claims.js";
import { liveness, readiness } from "./routes/health.js";
import { kubbisRouter } from "./routes/kubbis.js";
import type { ServiceContext } from "./services/context.js";

export interface AppDependencies {
  context: ServiceContext;
  registry: ApiKeyRegistry;
  logger: Logger;
  drain: Drain;
}

/** Middleware order: drain tracking, request id and headers, write timeout, routes (each with its own auth and limits), 404, errors. */
export function createApp({ context, registry, logger, drain }: AppDependencies): Express {
  const { config } = context;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (config.trustProxy !== undefined) app.set("trust proxy", config.trustProxy);
  // One body reader for every route that takes a producer's body, so they share the large-body slots.
  const jsonBody = planJsonBody({ largeBodySlots: config.maxConcurrentLargeBodies, timeoutMs: config.bodyTimeoutMs, minBytesPerSecond: config.bodyMinBytesPerSecond });

  app.use(drain.track, requestContext(logger), writeTimeout(config.writeTimeoutMs));
  // Mounted directly rather than as routers: every request would otherwise walk their stacks.
  app.get("/healthz", liveness);
  app.get("/readyz", readiness(context.store, () => drain.isDraining));
  app.get("/assets/:name", claimPageAsset);
  app.use("/api/v1/kubbis", kubbisRouter(context, registry, jsonBody));
  app.use("/r", claimsRouter(context));
  // MCP over Streamable HTTP: the same tools as `npx @kubbi.ai/mcp`, run with the caller's Bearer key.
  app.all(
    "/mcp",
    createMcpHttpHandler({
      baseUrl: () => context.publicUrl(),
      verifyApiKey: async (apiKey) => (await registry.authenticate(apiKey)) !== null,
    }),
  );
  app.use(() => {
    throw new ApiError("not_found", "There is no such route.");
  });
  app.use(errorHandler(logger));
  return app;
}
