import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { ApiError, errorBody } from "../errors.js";
import type { Metrics } from "../metrics/metrics.js";
import { isStorageUnavailable } from "../store/redis-errors.js";
import { requestIdOf } from "./request-context.js";

/** The envelope for an error, with its Retry-After; for answers outside the error handler (a shutdown's 503). */
export function sendError(res: Response, error: ApiError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  res.status(error.status).json(errorBody(error, requestIdOf(res)));
}

/** The one error handler: typed errors become the envelope; anything else is a logged 500 with no detail. */
export function errorHandler(logger: Logger, metrics: Metrics) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    let apiError = error instanceof ApiError ? error : undefined;
    if (apiError) {
      if (apiError.status >= 500)
        logger.error({ request_id: requestIdOf(res), code: apiError.code, ...apiError.logDetail }, apiError.message);
    } else if (isStorageUnavailable(error)) {
      const { name, message } = error as Error;
      logger.warn({ request_id: requestIdOf(res), err: { name, message } }, "storage unavailable");
      apiError = new ApiError("service_unavailable", "Storage is briefly unavailable. Retry shortly.", [], 1);
    } else {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      logger.error({ request_id: requestIdOf(res), err: { name, message, stack } }, "unhandled error");
      apiError = new ApiError(
        "internal_error",
        "Something went wrong on our side. The request id identifies it in the server's logs.",
      );
    }
    metrics.rejection(apiError.code);
    sendError(res, apiError);
  };
}
