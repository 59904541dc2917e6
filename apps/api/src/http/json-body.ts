import express, { type NextFunction, type Request, type Response } from "express";
import { ApiError } from "../errors.js";
import { producerOf } from "./producer-auth.js";

/** Headroom over the plan's payload bytes for JSON syntax, field names and metadata. */
const JSON_OVERHEAD_BYTES = 64 * 1024;

/**
 * Parses JSON bodies up to what the producer's plan allows: base64 inflates binary by 4/3, so the
 * body limit follows from the payload limit. Over the limit is a 413 before the body is buffered
 * whole: Content-Length is checked up front, and a chunked body stops being kept at the limit.
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
    // express.json would answer only after draining the whole announced body; refuse it up front
    // and close the connection instead of reading what we will not use.
    if (Number(req.get("content-length") ?? 0) > limit) {
      res.setHeader("Connection", "close");
      throw new ApiError("payload_too_large", "The request body is larger than this API key's plan allows.");
    }
    let parser = parsers.get(limit);
    if (!parser) parsers.set(limit, (parser = express.json({ limit, strict: false })));
    parser(req, res, next);
  };
}
