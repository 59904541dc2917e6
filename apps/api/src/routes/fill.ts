import express, { Router, type NextFunction, type Request, type Response } from "express";
import { ApiError } from "../errors.js";
import { sendFillPage } from "../fill-page/send.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { deliver, fillInfo, openRequestFor } from "../services/requests.js";
import { createKubbiSchemas } from "../validation/create-kubbi.js";

/**
 * Fill routes: /f/:token. The fill URL is a write-only capability: it shows what is asked and takes one
 * sealed delivery; nothing here ever returns what was delivered. Limited per client address like /r.
 */
export function fillRouter(context: ServiceContext): Router {
  const kubbiSchemas = createKubbiSchemas({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });
  const router = Router();
  router.use(rememberRouteBase, consumerRateLimit(context.store, context.config.consumerRatePerMinute, context.now));

  router.get("/:token", (req, res) => sendFillPage(context, req.params.token, res));
  router.get("/:token/info", async (req, res) => {
    res.set("Cache-Control", "no-store").json(await fillInfo(context, req.params.token));
  });
  router.post("/:token", async (req, res) => {
    // The request first: a refused link is answered before its body is read.
    const request = await openRequestFor(context, req.params.token);
    const envelope = await readEnvelope(req, res, request.wanted.maxBytes);
    res.status(201).json(await deliver(context, kubbiSchemas, request, envelope));
  });
  return router;
}

const rawParsers = new Map<number, ReturnType<typeof express.raw>>();

/** The body is the envelope's bytes, up to the request's limit: refused from Content-Length before it is read. */
async function readEnvelope(req: Request, res: Response, limit: number): Promise<Buffer> {
  if (!req.is("application/octet-stream")) {
    throw new ApiError("unsupported_media_type", "Send the sealed envelope as the body with Content-Type: application/octet-stream.");
  }
  if (Number(req.get("content-length") ?? 0) > limit) {
    res.setHeader("Connection", "close");
    throw new ApiError("payload_too_large", `The delivery is larger than this request takes (${limit} bytes).`);
  }
  let parser = rawParsers.get(limit);
  if (!parser) rawParsers.set(limit, (parser = express.raw({ type: "application/octet-stream", limit })));
  await new Promise<void>((resolve, reject) => parser(req, res, ((error?: unknown) => (error ? reject(error) : resolve())) as NextFunction));
  if (!Buffer.isBuffer(req.body)) throw new ApiError("validation_error", "body: the sealed envelope is missing.");
  return req.body;
}
