import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { bearerCredential } from "@kubbi.ai/sdk/wire";
import type { NextFunction, Request, Response } from "express";
import { ApiError, errorBody } from "../errors.js";
import type { Metrics } from "./metrics.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** True when no token is configured, or the request carries `Authorization: Bearer <token>` (compared in constant time). */
function authorized(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = bearerCredential(authorization);
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

const UNAUTHORIZED = () =>
  new ApiError("unauthorized", "The metrics need `Authorization: Bearer <KUBBI_METRICS_TOKEN>`.");

/** GET /metrics on the API's own port: only when a token guards it. */
export function metricsRoute(metrics: Metrics, token: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!authorized(token, req.get("authorization"))) return next(UNAUTHORIZED());
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

function sendError(res: ServerResponse, error: ApiError): void {
  res
    .writeHead(error.status, { "content-type": "application/json; charset=utf-8" })
    .end(JSON.stringify(errorBody(error, randomUUID())));
}

/** A listener of its own for GET /metrics (KUBBI_METRICS_PORT), so the scrape can stay off the public port. */
export async function startMetricsServer(
  metrics: Metrics,
  host: string,
  port: number,
  token: string | undefined,
): Promise<Server> {
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? "").split("?")[0] !== "/metrics")
      return sendError(res, new ApiError("not_found", "Only /metrics is served here."));
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendError(res, new ApiError("method_not_allowed", "Scrape the metrics with GET."));
    }
    if (!authorized(token, req.headers.authorization)) return sendError(res, UNAUTHORIZED());
    res
      .writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" })
      .end(await metrics.registry.metrics());
  };
  const server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
