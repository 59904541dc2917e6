import express, { type NextFunction, type Request, type Response } from "express";
import { ApiError } from "../errors.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { producerOf } from "./producer-auth.js";

/** Headroom over the plan's payload bytes for JSON syntax, field names and metadata. */
const JSON_OVERHEAD_BYTES = 64 * 1024;
/** Bodies above this (or of unknown length) take a slot of the large-body gate before they are read. */
const LARGE_BODY_BYTES = 1024 * 1024;

/**
 * Parses JSON bodies up to what the producer's plan allows: base64 inflates binary by 4/3, so the
 * body limit follows from the payload limit. Over the limit is a 413 before the body is buffered
 * whole: Content-Length is checked up front, and a chunked body stops being kept at the limit.
 *
 * A large body costs several times its size in memory while it is parsed, decoded and sealed, so at
 * most `largeBodySlots` are read at once; the others wait unread, held back by TCP flow control.
 */
/** The largest JSON body a plan accepts (docs/deploy.md sizes nginx's client_max_body_size from it). */
export const jsonBodyLimit = (maxKubbiBytes: number) => Math.ceil((maxKubbiBytes * 4) / 3) + JSON_OVERHEAD_BYTES;

export function planJsonBody(largeBodySlots: number) {
  const parsers = new Map<number, ReturnType<typeof express.json>>();
  const largeBodies = new ConcurrencyGate(largeBodySlots);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "POST") return next();
    // null: no body at all, which validation reports; false: a body that is not JSON.
    if (req.is("application/json") === false) {
      throw new ApiError("unsupported_media_type", "Send the request body as JSON with Content-Type: application/json.");
    }
    const limit = jsonBodyLimit(producerOf(res).plan.maxKubbiBytes);
    const length = req.get("content-length");
    // express.json would answer only after draining the whole announced body; refuse it up front
    // and close the connection instead of reading what we will not use.
    if (Number(length ?? 0) > limit) {
      res.setHeader("Connection", "close");
      throw new ApiError("payload_too_large", "The request body is larger than this API key's plan allows.");
    }
    if (length === undefined || Number(length) > LARGE_BODY_BYTES) {
      const release = await largeBodies.acquire();
      // A client that gave up while waiting must not keep the slot.
      if (res.closed || req.destroyed) return release();
      res.once("close", release);
    }
    let parser = parsers.get(limit);
    if (!parser) parsers.set(limit, (parser = express.json({ limit, strict: false })));
    parser(req, res, next);
  };
}
