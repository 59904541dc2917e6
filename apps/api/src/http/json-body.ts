import express, { type NextFunction, type Request, type Response } from "express";
import { ApiError } from "../errors.js";
import { producerOf } from "./producer-auth.js";

/** Headroom over the plan's payload bytes for JSON syntax, field names and metadata. */
const JSON_OVERHEAD_BYTES = 64 * 1024;

/**
 * Parses JSON bodies up to what the producer's plan allows: base64 inflates binary by 4/3, so the
 * body limit follows from the payload limit. Over the limit is a 413 before the body is buffered
 * whole (Content-Length is checked up front, and a streamed body is cut off at the limit).
 */
export function planJsonBody() {
  const parsers = new Map<number, ReturnType<typeof express.json>>();
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "POST") return next();
    // null: no body at all, which validation reports; false: a body that is not JSON.
    if (req.is("application/json") === false) {
      throw new ApiError("unsupported_media_type", "Send the request body as JSON with Content-Type: application/json.");
    }
    const limit = Math.ceil((producerOf(res).plan.maxKubbiBytes * 4) / 3) + JSON_OVERHEAD_BYTES;
    let parser = parsers.get(limit);
    if (!parser) parsers.set(limit, (parser = express.json({ limit, strict: false })));
    parser(req, res, next);
  };
}
