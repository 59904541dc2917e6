import { Router } from "express";
import { ApiError } from "../errors.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { sendClaimPage } from "../claim-page/send.js";
import { claimKubbi, inspectKubbi } from "../services/claims.js";
import { rememberRouteBase } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";

/**
 * Consumer routes: /r/:token. The claim URL is the capability, so there is no key. GET (and HEAD,
 * which Express answers from GET) only inspects: link previewers and scanners never burn a handoff.
 */
export function claimsRouter(context: ServiceContext): Router {
  const router = Router();
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
    res.type("json").send(await claimKubbi(context, req.params.token));
  });
  // The inspect JSON's claim.url pasted into a browser or curl: say how to claim, never consume, never 404.
  router.get("/:token/claim", (_req, res) => {
    res.setHeader("Allow", "POST");
    throw new ApiError("method_not_allowed", "Claim with POST: `curl -X POST` this URL (no body needed). GET the claim URL without /claim to inspect it without consuming.");
  });

  return router;
}
