import { createHash } from "node:crypto";
import { ApiError } from "../errors.js";
import { idempotencyKey, open, seal } from "../crypto/seal.js";
import type { Producer, ServiceContext } from "./context.js";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a request that crashed mid-way may hold its key before a retry may run again. */
const PENDING_TTL_MS = 60_000;

interface StoredReplay {
  fingerprint: string;
  body: unknown;
}

/**
 * Makes POST /api/v1/kubbis safe to retry: the first request with an Idempotency-Key runs; a replay
 * with the same key and body gets the same 201 body back. The stored body holds a claim token, so it
 * is sealed under a key derived from the Idempotency-Key itself and indexed only by that key's hash.
 */
export async function withIdempotency(
  context: ServiceContext,
  producer: Producer,
  idempotencyKeyValue: string | undefined,
  requestBody: unknown,
  run: () => Promise<unknown>,
): Promise<{ body: unknown; replayed: boolean }> {
  if (idempotencyKeyValue === undefined) return { body: await run(), replayed: false };
  if (!KEY_PATTERN.test(idempotencyKeyValue)) {
    throw new ApiError("validation_error", "Idempotency-Key must be 1 to 255 printable ASCII characters.", ["Idempotency-Key: must be 1 to 255 printable ASCII characters"]);
  }
  const slot = `${producer.keyId}:${createHash("sha256").update(idempotencyKeyValue).digest("base64url")}`;
  const fingerprint = createHash("sha256").update(JSON.stringify(requestBody ?? null)).digest("base64url");
  const begun = await context.store.beginIdempotent(slot, PENDING_TTL_MS);
  if (begun.state === "in_progress") {
    throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still being processed. Retry shortly.");
  }
  if (begun.state === "completed") {
    const replay = openReplay(context, producer, idempotencyKeyValue, begun.value);
    if (replay.fingerprint !== fingerprint) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request body.");
    }
    return { body: replay.body, replayed: true };
  }
  try {
    const body = await run();
    const sealedReplay = sealReplay(context, producer, idempotencyKeyValue, { fingerprint, body });
    await context.store.completeIdempotent(slot, sealedReplay, context.config.idempotencyTtlSeconds * 1000);
    return { body, replayed: false };
  } catch (error) {
    await context.store.abandonIdempotent(slot);
    throw error;
  }
}

/** Layout: keyIdLength(1) | keyId | epoch (uint32 BE) | sealed JSON. */
function sealReplay(context: ServiceContext, producer: Producer, idempotencyKeyValue: string, replay: StoredReplay): Buffer {
  const ref = context.sealer.current(context.now());
  const key = idempotencyKey(context.sealer.epochKey(ref), idempotencyKeyValue, producer.keyId);
  const keyId = Buffer.from(ref.keyId, "utf8");
  const epoch = Buffer.alloc(4);
  epoch.writeUInt32BE(ref.epoch);
  return Buffer.concat([Buffer.of(keyId.length), keyId, epoch, seal(key, Buffer.from(JSON.stringify(replay), "utf8"), producer.keyId)]);
}

function openReplay(context: ServiceContext, producer: Producer, idempotencyKeyValue: string, stored: Buffer): StoredReplay {
  const keyIdLength = stored[0]!;
  const keyId = stored.subarray(1, 1 + keyIdLength).toString("utf8");
  const epoch = stored.readUInt32BE(1 + keyIdLength);
  const key = idempotencyKey(context.sealer.epochKey({ keyId, epoch }), idempotencyKeyValue, producer.keyId);
  return JSON.parse(open(key, stored.subarray(5 + keyIdLength), producer.keyId).toString("utf8")) as StoredReplay;
}
