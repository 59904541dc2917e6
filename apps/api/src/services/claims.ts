import { gone, notFound } from "../errors.js";
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

/** Read only: never counts, never changes state. */
export async function inspectKubbi(context: ServiceContext, claimToken: string) {
  const record = await context.store.findByTokenHash(tokenHashOf(claimToken), context.now());
  if (!record) throw notFound();
  if (record.status !== "active") throw gone(record.status);
  return inspectView(record, openInfo(context, record), claimUrlFor(context, claimToken));
}

export type ClaimResponse = ReturnType<typeof claimView>;

/**
 * One atomic claim in storage, then decryption. A claim that committed is never served twice.
 * If decryption fails the claim is rolled back, so a key-ring mistake never burns a handoff.
 * With maxPayloadBytes, a larger kubbi is left unclaimed and "too_large" comes back: the caller
 * waits for a large-response slot and calls again without the limit.
 */
export async function claimKubbi(context: ServiceContext, claimToken: string, maxPayloadBytes?: number): Promise<ClaimResponse | "too_large"> {
  const outcome = await context.store.claim(tokenHashOf(claimToken), context.now(), maxPayloadBytes);
  if (outcome.kind === "too_large") return "too_large";
  if (outcome.kind === "not_found") throw notFound();
  if (outcome.kind === "gone") throw gone(outcome.status);
  const { record } = outcome;
  try {
    const info = context.sealer.openInfo(record);
    const payload = context.sealer.openPayload(record, claimToken, outcome.sealedPayload);
    const content = record.kind === "package" ? { files: decodePackage(payload, info.files ?? []) } : { single: decodeSingle(payload, record.contentType) };
    return claimView(record, info, outcome.burned, content);
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    await context.store.restoreClaim(outcome, context.now());
    throw decryptFailed();
  }
}
