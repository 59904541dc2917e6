import type { Express, Request, Response } from "express";
import { ConcurrencyGate } from "../http/concurrency-gate.js";
import { eventClientOf } from "../http/event-client.js";
import { ApiError } from "../errors.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { sendJson } from "../http/send-json.js";
import { sendJsonInSlices } from "../http/sliced-json.js";
import { sendClaimPage } from "../claim-page/send.js";
import { claimKubbi, inspectKubbi } from "../services/claims.js";
import type { ServiceContext } from "../services/context.js";

type TokenParams = { token: string };

/** Payloads above this are claimed only with a large-response slot held. */
const LARGE_PAYLOAD_BYTES = 1024 * 1024;

/** Agents and SDKs send no Accept, any type, or JSON: answered without content negotiation, the common case. */
const JSON_ACCEPTS = new Set([undefined, "*/*", "application/json"]);
const wantsPage = (req: Request) => !JSON_ACCEPTS.has(req.headers.accept) && req.accepts(["json", "html"]) === "html";

/**
 * Consumer routes: /r/:token. The claim URL is the capability, so there is no key. GET (and HEAD,
 * which Express answers from GET) only inspects: link previewers and scanners never burn a handoff.
 * Mounted on the app itself (no router stack to walk): claims and inspects are the hottest requests.
 */
export function mountClaimRoutes(app: Express, context: ServiceContext): void {
  const largeResponses = new ConcurrencyGate(context.config.maxConcurrentLargeResponses);
  const rateLimit = consumerRateLimit(context.store, context.config.consumerRatePerMinute, context.now);

  app.post("/r/:token/claim", rateLimit, async (req: Request<TokenParams>, res: Response) => {
    const client = eventClientOf(req);
    const claimed = await claimKubbi(context, req.params.token, client, JSON.stringify, LARGE_PAYLOAD_BYTES);
    if (claimed !== "too_large") return sendJson(res, 200, claimed.body);
    // A large payload is claimed (and held in memory) only once a slot is free, and the slot is
    // held until the response is written or the write timeout drops a client that stopped reading.
    // So clients that claim and never read cannot pile payloads up in memory.
    const release = await largeResponses.acquire();
    if (res.headersSent || res.closed) return release();
    res.once("close", release);
    await sendJsonInSlices(res, (await claimKubbi(context, req.params.token, client, JSON.stringify)).body);
  });

  // A person's browser gets the claim page; agents and SDKs (Accept: application/json, */*) get JSON.
  app.get("/r/:token", rateLimit, async (req: Request<TokenParams>, res: Response) => {
    res.setHeader("Vary", "Accept");
    if (wantsPage(req)) return sendClaimPage(context, req.params.token, res);
    sendJson(res, 200, JSON.stringify(await inspectKubbi(context, req.params.token)));
  });
  app.get("/r/:token/inspect", rateLimit, async (req: Request<TokenParams>, res: Response) => {
    sendJson(res, 200, JSON.stringify(await inspectKubbi(context, req.params.token)));
  });

  // The inspect JSON's claim.url pasted into a browser or curl: say how to claim, never consume, never 404.
  app.get("/r/:token/claim", rateLimit, (_req, res) => {
    res.setHeader("Allow", "POST");
    throw new ApiError(
      "method_not_allowed",
      "Claim with POST: `curl -X POST` this URL (no body needed). GET the claim URL without /claim to inspect it without consuming.",
    );
  });
}
