import { createHash, createHmac } from "node:crypto";
import { ApiError } from "../errors.js";
import { hkdfSha256 } from "../crypto/hkdf.js";
import { open, seal } from "../crypto/seal.js";
import type { Producer, ServiceContext } from "./context.js";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a request that crashed mid-way may hold its key before a retry may run again. */
const PENDING_TTL_MS = 60_000;
const NO_SALT = Buffer.alloc(0);

interface StoredReplay {
  fingerprint: string;
  body: unknown;
}

/**
 * Where a replay is kept and the secret it is sealed with. Both come from an HMAC keyed with the
 * caller's API key, which storage holds only as a SHA-256: a Redis dump plus the server keys plus a
 * guessable Idempotency-Key ("invoice-2026-0042") neither finds the slot nor opens it.
 */
export function replaySecrets(apiKey: string, idempotencyKeyValue: string) {
  const secret = createHmac("sha256", apiKey).update(`kubbi/idempotency/${idempotencyKeyValue}`).digest();
  return {
    slotId: hkdfSha256(secret, NO_SALT, "kubbi/idempotency/slot").toString("base64url"),
    sealingSecret: hkdfSha256(secret, NO_SALT, "kubbi/idempotency/seal"),
  };
}

/** The replay's key needs the server's epoch key as well: the API key alone opens nothing either. */
export function replayKey(epochKey: Buffer, sealingSecret: Buffer, ownerId: string): Buffer {
  return hkdfSha256(Buffer.concat([epochKey, sealingSecret]), NO_SALT, `kubbi/idempotency/${ownerId}`);
}

/**
 * Makes POST /api/v1/kubbis safe to retry: the first request with an Idempotency-Key runs; a replay
 * with the same key and body gets the same 201 body back, brought up to date by `refresh` (the
 * kubbi may have burned since). The stored body holds a claim token, hence replaySecrets.
 */
export async function withIdempotency<Body>(
  context: ServiceContext,
  producer: Producer,
  idempotencyKeyValue: string | undefined,
  requestBody: unknown,
  run: () => Promise<Body>,
  refresh: (replayed: Body) => Promise<Body>,
): Promise<{ body: Body; replayed: boolean }> {
  if (idempotencyKeyValue === undefined) return { body: await run(), replayed: false };
  if (!KEY_PATTERN.test(idempotencyKeyValue)) {
    throw new ApiError("validation_error", "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces).", [
      "Idempotency-Key: must be 1 to 255 visible ASCII characters (no spaces)",
    ]);
  }
  const { slotId, sealingSecret } = replaySecrets(producer.apiKey, idempotencyKeyValue);
  const slot = `${producer.keyId}:${slotId}`;
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(requestBody ?? null))
    .digest("base64url");
  const begun = await context.store.beginIdempotent(slot, PENDING_TTL_MS, context.now());
  if (begun.state === "in_progress") {
    throw new ApiError(
      "idempotency_in_progress",
      "A request with this Idempotency-Key is still being processed. Retry shortly.",
    );
  }
  if (begun.state === "completed") {
    const replay = openReplay(context, producer.keyId, sealingSecret, begun.value);
    if (replay.fingerprint !== fingerprint) {
      throw new ApiError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body.",
      );
    }
    return { body: await refresh(replay.body as Body), replayed: true };
  }
  try {
    const body = await run();
    const sealedReplay = sealReplay(context, producer.keyId, sealingSecret, { fingerprint, body });
    await context.store.completeIdempotent(
      slot,
      sealedReplay,
      context.config.idempotencyTtlSeconds * 1000,
      context.now(),
    );
    return { body, replayed: false };
  } catch (error) {
    await context.store.abandonIdempotent(slot);
    throw error;
  }
}

/** Layout: keyIdLength(1) | keyId | epoch (uint32 BE) | sealed JSON. */
function sealReplay(context: ServiceContext, ownerId: string, sealingSecret: Buffer, replay: StoredReplay): Buffer {
  const ref = context.sealer.current(context.now());
  const key = replayKey(context.sealer.epochKey(ref), sealingSecret, ownerId);
  const keyId = Buffer.from(ref.keyId, "utf8");
  const epoch = Buffer.alloc(4);
  epoch.writeUInt32BE(ref.epoch);
  return Buffer.concat([
    Buffer.of(keyId.length),
    keyId,
    epoch,
    seal(key, Buffer.from(JSON.stringify(replay), "utf8"), ownerId),
  ]);
}

function openReplay(context: ServiceContext, ownerId: string, sealingSecret: Buffer, stored: Buffer): StoredReplay {
  const keyIdLength = stored[0]!;
  const keyId = stored.subarray(1, 1 + keyIdLength).toString("utf8");
  const epoch = stored.readUInt32BE(1 + keyIdLength);
  const key = replayKey(context.sealer.epochKey({ keyId, epoch }), sealingSecret, ownerId);
  return JSON.parse(open(key, stored.subarray(5 + keyIdLength), ownerId).toString("utf8")) as StoredReplay;
}
