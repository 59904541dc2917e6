import { randomUUID } from "node:crypto";
import { ApiError, notFound } from "../errors.js";
import { DecryptError } from "../crypto/seal.js";
import type { KubbiInfo } from "../crypto/kubbi-sealer.js";
import { hashClaimToken, newClaimToken } from "../crypto/tokens.js";
import { newKubbiRecord, type KubbiRecord, type KubbiStatus } from "../store/store.js";
import type { CreateInput } from "../validation/create-kubbi.js";
import type { Producer, ServiceContext } from "./context.js";
import { encodePackage, encodeSingle, manifestEntry, type HashedFile } from "./payload.js";
import { createdView, detailView } from "./views.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const claimUrlFor = (context: ServiceContext, claimToken: string) => `${context.publicUrl()}/r/${claimToken}`;

/** A new kubbi's id and claim token; a request's delivery fixes them in advance (services/requests.ts). */
export interface KubbiIdentity {
  id: string;
  claimToken: string;
}

/** Enforces the producer's plan on validated input, seals, and stores a new kubbi. Nothing is stored on rejection. */
export async function createKubbi(
  context: ServiceContext,
  producer: Producer,
  parsed: CreateInput,
  identity: KubbiIdentity = { id: randomUUID(), claimToken: newClaimToken() },
) {
  const { plan } = producer;
  const { input } = parsed;
  let payload: Buffer;
  let files: HashedFile[] | null = null;
  let contentType = "";
  if (parsed.kind === "package") {
    if (parsed.input.files.length > plan.maxFiles) {
      throw new ApiError(
        "file_limit_exceeded",
        `A package may hold at most ${plan.maxFiles} files on this plan; got ${parsed.input.files.length}.`,
      );
    }
    ({ payload, files } = encodePackage(parsed.input.files));
  } else {
    payload = encodeSingle(parsed.input);
    contentType = parsed.input.content_type;
  }
  if (payload.length > plan.maxKubbiBytes) {
    throw new ApiError(
      "payload_too_large",
      `The payload is ${payload.length} bytes; this plan allows at most ${plan.maxKubbiBytes} bytes per kubbi.`,
    );
  }
  // The stored manifest has no hashes: they are told to the producer now, and recomputed at claim.
  const info: KubbiInfo = { metadata: input.metadata ?? null, files: files?.map(manifestEntry) ?? null };

  const nowMs = context.now();
  const { id, claimToken } = identity;
  const sealed = context.sealer.sealNew(id, claimToken, payload, info, nowMs);
  const record = newKubbiRecord({
    id,
    tokenHash: hashClaimToken(claimToken),
    ownerId: producer.keyId,
    kind: parsed.kind,
    contentType,
    fileCount: files?.length ?? 0,
    totalSizeBytes: payload.length,
    maxRetrievals: input.max_retrievals ?? null,
    createdAt: nowMs,
    expiresAt: nowMs + input.ttl_seconds * 1000,
    keyId: sealed.ref.keyId,
    epoch: sealed.ref.epoch,
    sealedInfo: sealed.sealedInfo,
  });
  const outcome = await context.store.create(
    {
      record,
      sealedPayload: sealed.sealedPayload,
      retentionMs: context.config.tombstoneRetentionSeconds * 1000,
      maxActiveKubbis: plan.maxActiveKubbis,
    },
    nowMs,
  );
  if (outcome === "quota_exceeded") {
    throw new ApiError(
      "quota_exceeded",
      `This API key already has ${plan.maxActiveKubbis} active kubbis, the most its plan allows. Delete or claim some, or wait for them to expire.`,
    );
  }
  context.metrics.kubbi("created");
  return createdView(record, info.metadata, files, claimUrlFor(context, claimToken), claimToken);
}

/** A replayed 201 body with the kubbi's status as it is now: a kubbi burned since is not shown as active. */
export async function withCurrentStatus<Created extends { id: string; status: KubbiStatus }>(
  context: ServiceContext,
  producer: Producer,
  created: Created,
): Promise<Created> {
  const record = await context.store.findById(producer.keyId, created.id, context.now());
  // Past its retention the tombstone is purged, which only happens after expiry.
  return { ...created, status: record?.status ?? "expired" };
}

/** Opens the server-side info, turning a key-ring problem into the documented 500 (the log names the key id). */
export function openInfo(context: ServiceContext, record: KubbiRecord): KubbiInfo {
  try {
    return context.sealer.openInfo(record);
  } catch (error) {
    if (error instanceof DecryptError) throw decryptFailed(error);
    throw error;
  }
}

export const decryptFailed = (cause: DecryptError) =>
  new ApiError(
    "decrypt_failed",
    "The kubbi could not be decrypted with the server's keys. Nothing was consumed; contact the operator of this service.",
    [],
    undefined,
    {
      key_id: cause.keyId,
      reason: cause.message,
    },
  );

/**
 * What the producer's views show: the info while the kubbi is active (a gone one keeps none), and a
 * kubbi whose server key has left the ring as a row without it rather than a failed page.
 */
function producerView(context: ServiceContext, record: KubbiRecord) {
  if (record.status !== "active") return detailView(record, { metadata: null, files: null }, false);
  try {
    return detailView(record, context.sealer.openInfo(record), false);
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    context.logger.error(
      { key_id: error.keyId, reason: error.message },
      "a kubbi's info could not be decrypted; it is listed without metadata or files",
    );
    return detailView(record, { metadata: null, files: null }, true);
  }
}

export async function findOwned(context: ServiceContext, producer: Producer, id: string): Promise<KubbiRecord> {
  if (!UUID_PATTERN.test(id)) throw notFound();
  // Another key's kubbi is indistinguishable from a missing one: never a 403.
  const record = await context.store.findById(producer.keyId, id, context.now());
  if (!record) throw notFound();
  return record;
}

export async function getKubbi(context: ServiceContext, producer: Producer, id: string) {
  return producerView(context, await findOwned(context, producer, id));
}

export async function listKubbis(context: ServiceContext, producer: Producer, page: number, limit: number) {
  const { total, records } = await context.store.listByOwner(producer.keyId, (page - 1) * limit, limit, context.now());
  return {
    kubbis: records.map((record) => producerView(context, record)),
    pagination: { page, limit, total, total_pages: Math.ceil(total / limit) },
  };
}

export async function deleteKubbi(context: ServiceContext, producer: Producer, id: string) {
  const record = await findOwned(context, producer, id);
  const outcome = await context.store.delete(record.tokenHash, producer.keyId, context.now());
  if (outcome === "not_found") throw notFound();
  if (outcome !== "ok")
    throw new ApiError("conflict", `This kubbi is already ${outcome}; there is nothing left to delete.`);
  context.metrics.kubbi("deleted");
  return { id: record.id, status: "deleted" as const };
}
