import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

export class DecryptError extends Error {}

/** AES-256-GCM; layout: version(1) | nonce(12) | ciphertext | tag(16). */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
    throw new DecryptError("sealed value has an unknown format");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, HEADER_BYTES));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError("sealed value failed authentication");
  }
}

/**
 * The payload key needs both the epoch key (server side) and the claim token's secret (only in
 * the claim URL): a Redis dump plus the server keys still opens nothing without the URL.
 */
export function payloadKey(epochKey: Buffer, claimTokenSecret: Buffer, kubbiId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.concat([epochKey, claimTokenSecret]), Buffer.alloc(0), `kubbi/data/${kubbiId}`, 32));
}

/**
 * Metadata and the file manifest are sealed under a key the server alone can derive, so producer
 * routes (which have no token) can read them while a Redis dump alone cannot.
 */
export function infoKey(epochKey: Buffer, kubbiId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", epochKey, Buffer.alloc(0), `kubbi/info/${kubbiId}`, 32));
}

/** Replayable idempotent responses are sealed under a key derived from the idempotency key itself. */
export function idempotencyKey(epochKey: Buffer, idempotencyKeyValue: string, ownerId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(idempotencyKeyValue, "utf8"), epochKey, `kubbi/idempotency/${ownerId}`, 32));
}
