import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";

const INCOMING_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Every response gets an id (an incoming well-formed X-Request-Id is kept) and safe default headers. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get("x-request-id");
    const requestId = incoming && INCOMING_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader("X-Request-Id", requestId);
    // Claim responses are secrets: nothing may be cached or leak through a referrer.
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    const startedAt = process.hrtime.bigint();
    res.on("finish", () => {
      logger.info(
        {
          request_id: requestId,
          method: req.method,
          // The template (/r/:token/claim), never the URL: the path may carry a claim token.
          route: req.route ? `${(res.locals.routeBase as string | undefined) ?? ""}${req.route.path}` : "(unmatched)",
          status: res.statusCode,
          duration_ms: Number(process.hrtime.bigint() - startedAt) / 1e6,
        },
        "request",
      );
    });
    next();
  };
}

/** Routers call this so the request log can name the mount point, which Express forgets on the way out. */
export function rememberRouteBase(req: Request, res: Response, next: NextFunction): void {
  res.locals.routeBase = req.baseUrl;
  next();
}

export const requestIdOf = (res: Response): string => res.locals.requestId as string;
