import { Router, type Request, type Response } from "express";
import { ApiError } from "../errors.js";
import { sendFillPage } from "../fill-page/send.js";
import type { BodyReader } from "../http/body-reader.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import type { RequestRecord } from "../store/requests/request-store.js";
import { deliver, fillInfo, openRequestFor } from "../services/requests.js";
import { createKubbiSchemas } from "../validation/create-kubbi.js";

/**
 * Fill routes: /f/:token. The fill URL is a write-only capability: it shows what is asked and takes one
 * sealed delivery; nothing here ever returns what was delivered. Limited per client address like /r.
 */
export function fillRouter(context: ServiceContext, bodies: BodyReader): Router {
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
    const envelope = await readEnvelope(bodies, req, res, request);
    if (envelope === undefined) return;
    res.status(201).json(await deliver(context, kubbiSchemas, request, envelope));
  });
  return router;
}

/**
 * The body is the envelope's bytes, up to the request's limit, read like every other body: refused from
 * Content-Length before it is read, and under the requester's large-body slot, deadline and minimum rate.
 */
async function readEnvelope(
  bodies: BodyReader,
  req: Request,
  res: Response,
  request: RequestRecord,
): Promise<Buffer | undefined> {
  if (!req.is("application/octet-stream")) {
    throw new ApiError(
      "unsupported_media_type",
      "Send the sealed envelope as the body with Content-Type: application/octet-stream.",
    );
  }
  const limit = request.wanted.maxBytes;
  const body = await bodies.read(req, res, {
    limit,
    keyId: request.ownerId,
    tooLarge: () =>
      new ApiError("payload_too_large", `The delivery is larger than this request takes (${limit} bytes).`),
  });
  if (body?.length === 0) throw new ApiError("validation_error", "body: the sealed envelope is missing.");
  return body;
}
