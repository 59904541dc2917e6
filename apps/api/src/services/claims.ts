import { gone, notFound, type GoneReason } from "../errors.js";
import type { EventClient } from "../store/store.js";
import { DecryptError } from "../crypto/seal.js";
import { hashClaimToken, isWellFormedClaimToken } from "../crypto/tokens.js";
import type { ServiceContext } from "./context.js";
import { claimUrlFor, decryptFailed, openInfo } from "./kubbis.js";
import { decodePackage, decodeSingle } from "./payload.js";
import { claimView, inspectView } from "./views.js";

function tokenHashOf(claimToken: string): string {
  // Anything we could not have issued is unknown without a storage round trip.
  if (!isWellFormedClaimToken(claimToken)) throw notFound();
  return hashClaimToken(claimToken);
}

/** Expiry has no event of its own (Redis drops the payload by TTL): a consumer finding it is when it is counted. */
function goneObserved(context: ServiceContext, status: GoneReason) {
  if (status === "expired") context.metrics.kubbi("expired");
  return gone(status);
}

/** Never a retrieval, never changes the kubbi's state: only its inspect count and time. */
export async function inspectKubbi(context: ServiceContext, claimToken: string) {
  const record = await context.store.inspect(tokenHashOf(claimToken), context.now());
  if (!record) throw notFound();
  if (record.status !== "active") throw goneObserved(context, record.status);
  return inspectView({ ...record, status: record.status }, openInfo(context, record), claimUrlFor(context, claimToken));
}

/**
 * One atomic claim in storage (with its events, naming the client), then decryption and the response body, serialised here. A claim that
 * committed is never served twice, and one that cannot be answered is rolled back: whatever fails
 * between the commit and a body ready to send (a key-ring mistake, a payload that will not
 * serialise) never burns a handoff. With maxPayloadBytes, a larger kubbi is left unclaimed and
 * "too_large" comes back: the caller waits for a large-response slot and calls again without the limit.
 */
export async function claimKubbi(
  context: ServiceContext,
  claimToken: string,
  client: EventClient,
): Promise<{ json: string }>;
export async function claimKubbi(
  context: ServiceContext,
  claimToken: string,
  client: EventClient,
  maxPayloadBytes: number,
): Promise<{ json: string } | "too_large">;
export async function claimKubbi(
  context: ServiceContext,
  claimToken: string,
  client: EventClient,
  maxPayloadBytes?: number,
): Promise<{ json: string } | "too_large"> {
  const outcome = await context.store.claim(tokenHashOf(claimToken), context.now(), client, maxPayloadBytes);
  if (outcome.kind === "too_large") return "too_large";
  if (outcome.kind === "not_found") throw notFound();
  if (outcome.kind === "gone") throw goneObserved(context, outcome.status);
  const { record } = outcome;
  try {
    const info = context.sealer.openInfo(record);
    const payload = context.sealer.openPayload(record, claimToken, outcome.sealedPayload);
    const content =
      record.kind === "package"
        ? { files: decodePackage(payload, info.files ?? []) }
        : { single: decodeSingle(payload, record.contentType) };
    const body = JSON.stringify(claimView(record, info, outcome.burned, content));
    context.metrics.kubbi("claimed");
    if (outcome.burned) context.metrics.kubbi("burned");
    return { json: body };
  } catch (error) {
    await context.store.restoreClaim(outcome, context.now());
    throw error instanceof DecryptError ? decryptFailed(error) : error;
  }
}
