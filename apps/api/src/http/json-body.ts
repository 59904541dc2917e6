import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../errors.js";
import type { BodyReader } from "./body-reader.js";
import { producerOf } from "./producer-auth.js";

/** Headroom over the plan's payload bytes for JSON syntax, field names and metadata. */
const JSON_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = () => new ApiError("payload_too_large", "The request body is larger than this API key's plan allows.");

/** The largest JSON body a plan accepts (docs/deploy.md sizes nginx's client_max_body_size from it). */
export const jsonBodyLimit = (maxKubbiBytes: number) => Math.ceil((maxKubbiBytes * 4) / 3) + JSON_OVERHEAD_BYTES;

/** A body sent as plain JSON, as SDKs and agents send it: recognised without parsing the media type. */
function isPlainJson({ headers }: Request): boolean {
  return (
    headers["content-type"] === "application/json" &&
    headers["content-encoding"] === undefined &&
    (headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined)
  );
}

/**
 * Any other request: false when it has no body at all (validation reports that), a 415 for a body that is
 * not JSON, or not UTF-8, or sent with a Content-Encoding.
 */
function hasUtf8JsonBody(req: Request): boolean {
  const isJson = req.is("application/json");
  if (isJson === null) return false;
  if (isJson === false)
    throw new ApiError("unsupported_media_type", "Send the request body as JSON with Content-Type: application/json.");
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.get("content-type") ?? "")?.[2]?.toLowerCase();
  const encoding = (req.get("content-encoding") ?? "identity").toLowerCase();
  if ((charset && charset !== "utf-8" && charset !== "utf8") || encoding !== "identity") {
    throw new ApiError(
      "unsupported_media_type",
      "The request body must be UTF-8 encoded JSON, sent without Content-Encoding.",
    );
  }
  return true;
}

/**
 * Parses JSON bodies up to what the producer's plan allows: base64 inflates binary by 4/3, so the
 * body limit follows from the payload limit. Over the limit is a 413 before the body is buffered
 * whole: Content-Length is checked up front, and a chunked body stops being kept at the limit. The
 * reader's slots, deadline and minimum rate apply (one reader serves every route that takes a body).
 */
export function planJsonBody(reader: BodyReader) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // POST creates, PUT sets (the webhook endpoint); other methods take no body.
    if (req.method !== "POST" && req.method !== "PUT") return next();
    if (!isPlainJson(req) && !hasUtf8JsonBody(req)) return next();
    const producer = producerOf(res);
    const body = await reader.read(req, res, {
      limit: jsonBodyLimit(producer.plan.maxKubbiBytes),
      keyId: producer.keyId,
      tooLarge,
    });
    if (body === undefined) return;
    try {
      req.body = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch {
      throw new ApiError("invalid_json", "The request body is not valid JSON.");
    }
    next();
  };
}
