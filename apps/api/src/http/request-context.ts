import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.js";
import type { RequestStep } from "./request-steps.js";

const INCOMING_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** What the request log line needs from the start of a request; kept on res.locals. */
interface RequestStart {
  startedAt: bigint;
  writtenBefore: number;
}

/** Every response gets an id (an incoming well-formed X-Request-Id is kept) and safe default headers. */
export function requestContext(logger: Logger, metrics: Metrics): RequestStep {
  // One listener for every response (not a closure per request): it reads what it needs from the response.
  function logFinished(this: Response) {
    const req = this.req;
    const { startedAt, writtenBefore } = this.locals.requestStart as RequestStart;
    // The template (/r/:token/claim), never the URL: the path may carry a claim token.
    const route = routeTemplate(req, this);
    const durationNs = Number(process.hrtime.bigint() - startedAt);
    logger.info(
      {
        request_id: this.locals.requestId,
        method: req.method,
        route,
        status: this.statusCode,
        duration_ms: durationNs / 1e6,
      },
      "request",
    );
    metrics.request(
      req.method,
      route,
      this.statusCode,
      durationNs / 1e9,
      Number(req.headers["content-length"] ?? 0) || 0,
      req.socket.bytesWritten - writtenBefore,
    );
  }
  return (req, res) => {
    const incoming = req.headers["x-request-id"];
    const requestId = typeof incoming === "string" && INCOMING_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    // Requests on one connection follow each other, so the socket's counter delta is this response.
    res.locals.requestStart = {
      startedAt: process.hrtime.bigint(),
      writtenBefore: req.socket.bytesWritten,
    } satisfies RequestStart;
    res.setHeader("X-Request-Id", requestId);
    // Claim responses are secrets: nothing may be cached or leak through a referrer.
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.on("finish", logFinished);
  };
}

/** "/api/v1/kubbis/:id", "/r/:token/claim", "/api/v1/kubbis" (a router's own "/" adds nothing), or "(unmatched)". */
function routeTemplate(req: Request, res: Response): string {
  if (!req.route) return "(unmatched)";
  const base = (res.locals.routeBase as string | undefined) ?? "";
  const path = req.route.path as string;
  return base && path === "/" ? base : `${base}${path}`;
}

/** Routers call this so the request log can name the mount point, which Express forgets on the way out. */
export function rememberRouteBase(req: Request, res: Response, next: NextFunction): void {
  res.locals.routeBase = req.baseUrl;
  next();
}

export const requestIdOf = (res: Response): string => res.locals.requestId as string;
