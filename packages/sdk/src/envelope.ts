/**
 * Sealed envelopes for request links (docs/request-links.md): what a filler delivers is encrypted to the
 * requester's public key before it leaves the filler's process, so the kubbi server stores bytes it
 * cannot open. Web Crypto only (ECDH P-256, HKDF-SHA256, AES-256-GCM): the one curve every target
 * runtime (Node 20, Deno, Bun, workerd, browsers) supports in Web Crypto; X25519 is missing on Node 20.
 *
 * Envelope bytes:  version(1) ‖ suite(1) ‖ ephemeral public key(65, uncompressed P-256) ‖ nonce(12) ‖ AES-GCM ciphertext+tag
 * Key:             HKDF-SHA256(ikm = ECDH x-coordinate, salt = empty, info = LABEL ‖ 0x00 ‖ ephemeral pk ‖ recipient pk ‖ context), 32 bytes
 * Associated data: the 79 header bytes (version, suite, ephemeral public key, nonce)
 * This file is also served to the fill page as /assets/fill/envelope.js, so it imports nothing but base64.
 */
import { base64ToBytes, bytesToBase64 } from "./base64.js";

export const ENVELOPE_VERSION = 1;
/** The one suite: ECDH P-256, HKDF-SHA256, AES-256-GCM. */
export const ENVELOPE_SUITE_P256_HKDF_SHA256_AES256GCM = 1;
export const ENVELOPE_PUBLIC_KEY_BYTES = 65;
const PUBLIC_KEY_BYTES = ENVELOPE_PUBLIC_KEY_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const ENVELOPE_HEADER_BYTES = 2 + PUBLIC_KEY_BYTES + NONCE_BYTES;
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD_BYTES = ENVELOPE_HEADER_BYTES + TAG_BYTES;
const HKDF_LABEL = "kubbi request envelope v1";
const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

/** Context strings bind an envelope to one request and one purpose: an envelope for another cannot be replayed here. */
export const deliveryContext = (requestId: string) => `kubbi-request:${requestId}:delivery`;
export const claimTokenContext = (requestId: string) => `kubbi-request:${requestId}:claim-token`;

export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
}

const subtle = () => globalThis.crypto.subtle;
const utf8 = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new EnvelopeError("not base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return base64ToBytes(padded);
}

/** A copy on a plain ArrayBuffer, which is what Web Crypto's typings take. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A request's key pair: the raw public key goes to the server, the private JWK stays with the requester. */
export interface RequestKeyPair {
  publicKey: Uint8Array;
  privateKey: JsonWebKey;
}

export async function generateRequestKeyPair(): Promise<RequestKeyPair> {
  const pair = (await subtle().generateKey(ECDH, true, ["deriveBits"])) as CryptoKeyPair;
  return {
    publicKey: new Uint8Array(await subtle().exportKey("raw", pair.publicKey)),
    privateKey: await subtle().exportKey("jwk", pair.privateKey),
  };
}

/** base64url SHA-256 of the raw public key: what the fill URL's fragment carries. */
export async function publicKeyFingerprint(publicKey: Uint8Array): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().digest("SHA-256", own(publicKey))));
}

/** Imports a raw uncompressed P-256 point; anything else (wrong length, not on the curve) throws EnvelopeError. */
export async function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  if (publicKey.length !== PUBLIC_KEY_BYTES || publicKey[0] !== 4)
    throw new EnvelopeError("a public key must be an uncompressed P-256 point (65 bytes, 0x04 first)");
  try {
    return await subtle().importKey("raw", own(publicKey), ECDH, true, []);
  } catch {
    throw new EnvelopeError("the public key is not a point on P-256");
  }
}

async function aesKey(
  privateKey: CryptoKey,
  peerPublicKey: CryptoKey,
  ephemeral: Uint8Array,
  recipient: Uint8Array,
  context: string,
): Promise<CryptoKey> {
  const shared = await subtle().deriveBits({ name: "ECDH", public: peerPublicKey }, privateKey, 256);
  const ikm = await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const info = concat(utf8.encode(HKDF_LABEL), new Uint8Array([0]), ephemeral, recipient, utf8.encode(context));
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Fixed ephemeral key and nonce: for test vectors only. Real envelopes always use fresh ones. */
export interface SealingFixture {
  ephemeralPrivateKey: JsonWebKey;
  nonce: Uint8Array;
}

/** Encrypts `plaintext` to `recipientPublicKey` (raw) under `context`. */
export async function sealEnvelope(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  context: string,
  fixture?: SealingFixture,
): Promise<Uint8Array> {
  const recipient = await importPublicKey(recipientPublicKey);
  let ephemeralPrivate: CryptoKey;
  let ephemeralPublic: Uint8Array;
  if (fixture) {
    ephemeralPrivate = await subtle().importKey("jwk", fixture.ephemeralPrivateKey, ECDH, false, ["deriveBits"]);
    const { d: _d, ...publicJwk } = fixture.ephemeralPrivateKey;
    const publicKey = await subtle().importKey("jwk", { ...publicJwk, key_ops: [] }, ECDH, true, []);
    ephemeralPublic = new Uint8Array(await subtle().exportKey("raw", publicKey));
  } else {
    const pair = (await subtle().generateKey(ECDH, true, ["deriveBits"])) as CryptoKeyPair;
    ephemeralPrivate = pair.privateKey;
    ephemeralPublic = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  }
  const nonce = own(fixture?.nonce ?? globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
  const header = concat(
    new Uint8Array([ENVELOPE_VERSION, ENVELOPE_SUITE_P256_HKDF_SHA256_AES256GCM]),
    ephemeralPublic,
    nonce,
  );
  const key = await aesKey(ephemeralPrivate, recipient, ephemeralPublic, recipientPublicKey, context);
  const ciphertext = new Uint8Array(
    await subtle().encrypt({ name: "AES-GCM", iv: nonce, additionalData: header }, key, own(plaintext)),
  );
  return concat(header, ciphertext);
}

/** Decrypts an envelope with the requester's private key; a wrong key, context or any changed byte throws EnvelopeError. */
export async function openEnvelope(privateKey: JsonWebKey, envelope: Uint8Array, context: string): Promise<Uint8Array> {
  if (envelope.length < ENVELOPE_OVERHEAD_BYTES) throw new EnvelopeError("the envelope is too short");
  if (envelope[0] !== ENVELOPE_VERSION || envelope[1] !== ENVELOPE_SUITE_P256_HKDF_SHA256_AES256GCM) {
    throw new EnvelopeError(`unknown envelope version ${envelope[0]} / suite ${envelope[1]}`);
  }
  const header = own(envelope.subarray(0, ENVELOPE_HEADER_BYTES));
  const ephemeralPublic = header.subarray(2, 2 + PUBLIC_KEY_BYTES);
  const nonce = header.subarray(2 + PUBLIC_KEY_BYTES);
  const { d: _d, ...publicJwk } = privateKey;
  let recipientPublic: Uint8Array;
  let ownPrivate: CryptoKey;
  try {
    recipientPublic = new Uint8Array(
      await subtle().exportKey("raw", await subtle().importKey("jwk", { ...publicJwk, key_ops: [] }, ECDH, true, [])),
    );
    ownPrivate = await subtle().importKey("jwk", { ...privateKey, key_ops: ["deriveBits"] }, ECDH, false, [
      "deriveBits",
    ]);
  } catch {
    throw new EnvelopeError("the private key is not a P-256 private key (JWK)");
  }
  const key = await aesKey(
    ownPrivate,
    await importPublicKey(ephemeralPublic),
    ephemeralPublic,
    recipientPublic,
    context,
  );
  try {
    return new Uint8Array(
      await subtle().decrypt(
        { name: "AES-GCM", iv: nonce, additionalData: header },
        key,
        own(envelope.subarray(ENVELOPE_HEADER_BYTES)),
      ),
    );
  } catch {
    throw new EnvelopeError(
      "the envelope does not open with this key and context (wrong key, wrong request, or altered bytes)",
    );
  }
}

/**
 * What a filler delivers, before sealing. Everything (names and content types included) is inside the
 * ciphertext: u32 big-endian header length ‖ header JSON (UTF-8) ‖ the content bytes (files end to end).
 */
export type Delivery =
  | { kind: "content"; contentType: string; bytes: Uint8Array }
  | { kind: "files"; files: Array<{ name: string; contentType: string; bytes: Uint8Array }> };

interface DeliveryHeader {
  v: 1;
  kind: "content" | "files";
  content_type?: string;
  files?: Array<{ name: string; content_type: string; size: number }>;
}

export function encodeDelivery(delivery: Delivery): Uint8Array {
  const header: DeliveryHeader =
    delivery.kind === "content"
      ? { v: 1, kind: "content", content_type: delivery.contentType }
      : {
          v: 1,
          kind: "files",
          files: delivery.files.map((file) => ({
            name: file.name,
            content_type: file.contentType,
            size: file.bytes.length,
          })),
        };
  const headerBytes = utf8.encode(JSON.stringify(header));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, headerBytes.length);
  const bodies = delivery.kind === "content" ? [delivery.bytes] : delivery.files.map((file) => file.bytes);
  return concat(length, headerBytes, ...bodies);
}

export function decodeDelivery(plaintext: Uint8Array): Delivery {
  const fail = (what: string): never => {
    throw new EnvelopeError(`the delivery is malformed: ${what}`);
  };
  if (plaintext.length < 4) fail("no header");
  const headerLength = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).getUint32(0);
  if (4 + headerLength > plaintext.length) fail("header longer than the delivery");
  let header: DeliveryHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(plaintext.subarray(4, 4 + headerLength)),
    ) as DeliveryHeader;
  } catch {
    return fail("header is not JSON");
  }
  const body = plaintext.subarray(4 + headerLength);
  if (header?.v !== 1) fail("unknown version");
  if (header.kind === "content" && typeof header.content_type === "string") {
    return { kind: "content", contentType: header.content_type, bytes: body.slice() };
  }
  if (header.kind !== "files" || !Array.isArray(header.files)) return fail("unknown kind");
  let offset = 0;
  const files = header.files.map((file) => {
    if (
      typeof file?.name !== "string" ||
      typeof file.content_type !== "string" ||
      !Number.isSafeInteger(file.size) ||
      file.size < 0
    )
      fail("bad file entry");
    const bytes = body.slice(offset, offset + file.size);
    offset += file.size;
    return { name: file.name, contentType: file.content_type, bytes };
  });
  if (offset !== body.length) fail("file sizes do not add up");
  return { kind: "files", files };
}
