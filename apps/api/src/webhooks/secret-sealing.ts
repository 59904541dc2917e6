import { hkdfSha256 } from "../crypto/hkdf.js";
import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import { open, seal } from "../crypto/seal.js";
import type { StoredEndpoint } from "./endpoint.js";

/**
 * A webhook signing secret is sealed like a kubbi's info: under a key derived from the server key ring's
 * epoch key and the owner, with the owner id as associated data, so a Redis dump alone does not sign.
 */
const sealingKey = (epochKey: Buffer, ownerId: string) =>
  hkdfSha256(epochKey, Buffer.alloc(0), `kubbi/webhook/${ownerId}`);

export function sealSecret(sealer: KubbiSealer, ownerId: string, secret: string, nowMs: number) {
  const ref = sealer.current(nowMs);
  const sealedSecret = seal(sealingKey(sealer.epochKey(ref), ownerId), Buffer.from(secret, "utf8"), ownerId);
  return { sealedSecret, keyId: ref.keyId, epoch: ref.epoch };
}

/** Throws DecryptError when the server key it was sealed under has left the ring. */
export function openSecret(sealer: KubbiSealer, ownerId: string, endpoint: StoredEndpoint): string {
  const key = sealingKey(sealer.epochKey(endpoint), ownerId);
  return open(key, endpoint.sealedSecret, ownerId).toString("utf8");
}
