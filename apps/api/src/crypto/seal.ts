import { createCipheriv, createDecipheriv } from "node:crypto";
import { randomBytesPooled } from "./random.js";
import { hkdfExpand, hkdfExtract, hkdfSha256 } from "./hkdf.js";

const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

/** A sealed value that would not open. keyId names the server key it was sealed under, when known (never the key). */
export class DecryptError extends Error {
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/** Large payloads go through the cipher in slices, so sealing needs one output buffer, not two copies. */
const SEAL_SLICE_BYTES = 1024 * 1024;

/** AES-256-GCM; layout: version(1) | nonce(12) | ciphertext | tag(16). */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const sealed = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
  sealed[0] = FORMAT_VERSION;
  const nonce = randomBytesPooled(NONCE_BYTES);
  nonce.copy(sealed, 1);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  let offset = HEADER_BYTES;
  for (let start = 0; start < plaintext.length; start += SEAL_SLICE_BYTES) {
    offset += cipher.update(plaintext.subarray(start, start + SEAL_SLICE_BYTES)).copy(sealed, offset);
  }
  offset += cipher.final().copy(sealed, offset);
  cipher.getAuthTag().copy(sealed, offset);
  return sealed;
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
  return hkdfSha256(Buffer.concat([epochKey, claimTokenSecret]), Buffer.alloc(0), `kubbi/data/${kubbiId}`);
}

/** An epoch key's HKDF-Extract step, the same for every kubbi of the epoch: done once per epoch key. */
const infoKeyBases = new WeakMap<Buffer, Buffer>();

/**
 * Metadata and the file manifest are sealed under a key the server alone can derive, so producer
 * routes (which have no token) can read them while a Redis dump alone cannot. Byte for byte
 * hkdfSha256(epochKey, empty salt, info); the extract step is kept per epoch key (the key ring keeps
 * epoch keys, so the same Buffer comes back and a list page of 20 rows extracts once, not 20 times).
 */
export function infoKey(epochKey: Buffer, kubbiId: string): Buffer {
  let base = infoKeyBases.get(epochKey);
  if (!base) infoKeyBases.set(epochKey, (base = hkdfExtract(epochKey)));
  return hkdfExpand(base, `kubbi/info/${kubbiId}`);
}
