import { Router } from "express";
import { ConcurrencyGate } from "../http/concurrency-gate.js";
import { eventClientOf } from "../http/event-client.js";
import { ApiError } from "../errors.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { sendJsonInSlices } from "../http/sliced-json.js";
import { sendClaimPage } from "../claim-page/send.js";
import { claimKubbi, inspectKubbi } from "../services/claims.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";

/** Payloads above this are claimed only with a large-response slot held. */
const LARGE_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Consumer routes: /r/:token. The claim URL is the capability, so there is no key. GET (and HEAD,
 * which Express answers from GET) only inspects: link previewers and scanners never burn a handoff.
 */
export function claimsRouter(context: ServiceContext): Router {
  const router = Router();
  const largeResponses = new ConcurrencyGate(context.config.maxConcurrentLargeResponses);
  router.use(rememberRouteBase, consumerRateLimit(context.store, context.config.consumerRatePerMinute, context.now));

  // A person's browser gets the claim page; agents and SDKs (Accept: application/json, */*) get JSON.
  router.get("/:token", async (req, res) => {
    res.vary("Accept");
    if (req.accepts(["json", "html"]) === "html") return sendClaimPage(context, req.params.token, res);
    res.json(await inspectKubbi(context, req.params.token));
  });
  router.get("/:token/inspect", async (req, res) => {
    res.json(await inspectKubbi(context, req.params.token));
  });

  router.post("/:token/claim", async (req, res) => {
    const client = eventClientOf(req);
    const claimed = await claimKubbi(context, req.params.token, client, LARGE_PAYLOAD_BYTES);
    if (claimed !== "too_large") return res.type("json").send(claimed.json);
    // A large payload is claimed (and held in memory) only once a slot is free, and the slot is
    // held until the response is written or the write timeout drops a client that stopped reading.
    // So clients that claim and never read cannot pile payloads up in memory.
    const release = await largeResponses.acquire();
    if (res.headersSent || res.closed) return release();
    res.once("close", release);
    await sendJsonInSlices(res, (await claimKubbi(context, req.params.token, client)).json);
  });
  // The inspect JSON's claim.url pasted into a browser or curl: say how to claim, never consume, never 404.
  router.get("/:token/claim", (_req, res) => {
    res.setHeader("Allow", "POST");
    throw new ApiError(
      "method_not_allowed",
      "Claim with POST: `curl -X POST` this URL (no body needed). GET the claim URL without /claim to inspect it without consuming.",
    );
  });

  return router;
}
