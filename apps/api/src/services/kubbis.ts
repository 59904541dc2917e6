import { randomUUID } from "node:crypto";
import { ApiError, notFound, validationError } from "../errors.js";
import { DecryptError } from "../crypto/seal.js";
import type { KubbiInfo } from "../crypto/kubbi-sealer.js";
import { hashClaimToken, newClaimToken } from "../crypto/tokens.js";
import type { KubbiRecord } from "../store/store.js";
import { parseCreateKubbi, type CreateKubbiSchemas } from "../validation/create-kubbi.js";
import type { Producer, ServiceContext } from "./context.js";
import { encodePackage, encodeSingle } from "./payload.js";
import { createdView, detailView } from "./views.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const claimUrlFor = (context: ServiceContext, claimToken: string) => `${context.publicUrl()}/r/${claimToken}`;

/** A new kubbi's id and claim token; a request's delivery fixes them in advance (services/requests.ts). */
export interface KubbiIdentity {
  id: string;
  claimToken: string;
}

/** Validates, enforces the producer's plan, seals, and stores a new kubbi. Nothing is stored on rejection. */
export async function createKubbi(
  context: ServiceContext,
  schemas: CreateKubbiSchemas,
  producer: Producer,
  body: unknown,
  identity: KubbiIdentity = { id: randomUUID(), claimToken: newClaimToken() },
) {
  const parsed = parseCreateKubbi(schemas, body);
  if ("problems" in parsed) throw validationError(parsed.problems);

  const { plan } = producer;
  const { input } = parsed;
  let payload: Buffer;
  let info: KubbiInfo;
  let contentType = "";
  if (parsed.kind === "package") {
    if (parsed.input.files.length > plan.maxFiles) {
      throw new ApiError("file_limit_exceeded", `A package may hold at most ${plan.maxFiles} files on this plan; got ${parsed.input.files.length}.`);
    }
    const encoded = encodePackage(parsed.input.files);
    payload = encoded.payload;
    info = { metadata: input.metadata ?? null, files: encoded.manifest };
  } else {
    payload = encodeSingle(parsed.input);
    contentType = parsed.input.content_type;
    info = { metadata: input.metadata ?? null, files: null };
  }
  if (payload.length > plan.maxKubbiBytes) {
    throw new ApiError("payload_too_large", `The payload is ${payload.length} bytes; this plan allows at most ${plan.maxKubbiBytes} bytes per kubbi.`);
  }

  const nowMs = context.now();
  const { id, claimToken } = identity;
  const sealed = context.sealer.sealNew(id, claimToken, payload, info, nowMs);
  const record: KubbiRecord = {
    id,
    tokenHash: hashClaimToken(claimToken),
    ownerId: producer.keyId,
    kind: parsed.kind,
    status: "active",
    contentType,
    fileCount: info.files?.length ?? 0,
    totalSizeBytes: payload.length,
    maxRetrievals: input.max_retrievals ?? null,
    retrievalCount: 0,
    firstRetrievedAt: null,
    lastRetrievedAt: null,
    createdAt: nowMs,
    expiresAt: nowMs + input.ttl_seconds * 1000,
    keyId: sealed.ref.keyId,
    epoch: sealed.ref.epoch,
    sealedInfo: sealed.sealedInfo,
  };
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
    throw new ApiError("quota_exceeded", `This API key already has ${plan.maxActiveKubbis} active kubbis, the most its plan allows. Delete or claim some, or wait for them to expire.`);
  }
  return createdView(record, info, claimUrlFor(context, claimToken), claimToken);
}

/** Opens the server-side info, turning a key-ring problem into the documented 500. */
export function openInfo(context: ServiceContext, record: KubbiRecord): KubbiInfo {
  try {
    return context.sealer.openInfo(record);
  } catch (error) {
    if (error instanceof DecryptError) throw decryptFailed();
    throw error;
  }
}

export const decryptFailed = () =>
  new ApiError("decrypt_failed", "The kubbi could not be decrypted with the server's keys. Nothing was consumed; contact the operator of this service.");

async function findOwned(context: ServiceContext, producer: Producer, id: string): Promise<KubbiRecord> {
  if (!UUID_PATTERN.test(id)) throw notFound();
  // Another key's kubbi is indistinguishable from a missing one: never a 403.
  const record = await context.store.findById(producer.keyId, id, context.now());
  if (!record) throw notFound();
  return record;
}

export async function getKubbi(context: ServiceContext, producer: Producer, id: string) {
  const record = await findOwned(context, producer, id);
  return detailView(record, openInfo(context, record));
}

export async function listKubbis(context: ServiceContext, producer: Producer, page: number, limit: number) {
  const { total, records } = await context.store.listByOwner(producer.keyId, (page - 1) * limit, limit, context.now());
  return {
    kubbis: records.map((record) => detailView(record, openInfo(context, record))),
    pagination: { page, limit, total, total_pages: Math.ceil(total / limit) },
  };
}

export async function deleteKubbi(context: ServiceContext, producer: Producer, id: string) {
  const record = await findOwned(context, producer, id);
  const outcome = await context.store.delete(record.tokenHash, producer.keyId, context.now());
  if (outcome === "not_found") throw notFound();
  if (outcome !== "ok") throw new ApiError("conflict", `This kubbi is already ${outcome}; there is nothing left to delete.`);
  return { id: record.id, status: "deleted" as const };
}
