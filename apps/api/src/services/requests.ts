import { randomUUID } from "node:crypto";
import {
  claimTokenContext,
  ENVELOPE_OVERHEAD_BYTES,
  ENVELOPE_PUBLIC_KEY_BYTES,
  ENVELOPE_SUITE_P256_HKDF_SHA256_AES256GCM,
  ENVELOPE_VERSION,
  EnvelopeError,
  fromBase64Url,
  importPublicKey,
  publicKeyFingerprint,
  sealEnvelope,
  toBase64Url,
} from "@kubbi.ai/sdk/envelope";
import type { components } from "@kubbi/openapi";
import { ApiError, validationError } from "../errors.js";
import { hashClaimToken, isWellFormedClaimToken, newClaimToken } from "../crypto/tokens.js";
import { effectiveRequestStatus, type RequestRecord, type RequestStatus } from "../store/requests/request-store.js";
import { parseCreateKubbi, parseObjectBody, type CreateKubbiSchemas } from "../validation/create-kubbi.js";
import type { CreateRequestSchema } from "../validation/create-request.js";
import type { Producer, ServiceContext } from "./context.js";
import { createKubbi } from "./kubbis.js";
import { iso } from "./views.js";

/**
 * Request links (docs/request-links.md): a requester asks, a filler delivers a sealed envelope once, and
 * the delivery becomes a kubbi owned by the requester. The server never holds a key that opens it.
 */

// The response bodies below `satisfies` these spec types, so a field the spec changes fails to compile here.
type RequestCreated = components["schemas"]["RequestCreated"];
type RequestDetail = components["schemas"]["RequestDetail"];
type RequestCancelled = components["schemas"]["RequestCancelled"];
type FillInfo = components["schemas"]["FillInfo"];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The one file of a delivery's kubbi: the envelope. What it holds (names, types) is sealed inside. */
const ENVELOPE_FILE_NAME = "delivery.kubbi-envelope";
const ENVELOPE_CONTENT_TYPE = "application/vnd.kubbi.envelope";

const requestNotFound = () => new ApiError("not_found", "No request was found for this id or fill link.");

const REFUSALS = {
  expired: () => new ApiError("expired", "This request has expired: nothing can be delivered to it any more."),
  cancelled: () =>
    new ApiError("cancelled", "This request was cancelled by whoever asked; nothing can be delivered to it."),
  fulfilled: () =>
    new ApiError("already_fulfilled", "Something was already delivered to this request; a request link works once."),
  fulfilling: () =>
    new ApiError("already_fulfilled", "A delivery to this request is already under way; a request link works once."),
} as const;

const fillUrlFor = (context: ServiceContext, fillToken: string, fingerprint: string) =>
  `${context.publicUrl()}/f/${fillToken}#k=${fingerprint}`;

export async function createRequest(
  context: ServiceContext,
  schema: CreateRequestSchema,
  producer: Producer,
  body: unknown,
) {
  const parsed = parseObjectBody(schema, body);
  if ("problems" in parsed) throw validationError(parsed.problems);
  const { input } = parsed;
  const { plan } = producer;
  const wanted = {
    kind: input.wanted?.kind ?? "content",
    maxFiles: input.wanted?.kind === "files" ? (input.wanted.max_files ?? plan.maxFiles) : 1,
    maxBytes: input.wanted?.max_bytes ?? plan.maxKubbiBytes,
  } as const;
  const problems = [
    ...(input.wanted?.kind !== "files" && input.wanted?.max_files !== undefined
      ? ['wanted.max_files: applies to kind "files" only']
      : []),
    ...(wanted.maxFiles > plan.maxFiles ? [`wanted.max_files: must be at most ${plan.maxFiles} on this plan`] : []),
    ...(wanted.maxBytes > plan.maxKubbiBytes
      ? [`wanted.max_bytes: must be at most ${plan.maxKubbiBytes} on this plan`]
      : []),
    ...(wanted.maxBytes <= ENVELOPE_OVERHEAD_BYTES
      ? [`wanted.max_bytes: must be more than the envelope's ${ENVELOPE_OVERHEAD_BYTES} bytes of overhead`]
      : []),
  ];
  const publicKey = fromBase64Url(input.public_key);
  try {
    await importPublicKey(publicKey);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    problems.push(`public_key: ${error.message}`);
  }
  if (problems.length) throw validationError(problems);

  const nowMs = context.now();
  const fillToken = newClaimToken();
  const record: RequestRecord = {
    id: randomUUID(),
    fillHash: hashClaimToken(fillToken),
    ownerId: producer.keyId,
    requesterName: producer.name,
    plan,
    status: "open",
    description: input.description,
    wanted,
    publicKey: input.public_key,
    kubbiTtlSeconds: input.ttl_seconds,
    kubbiMaxRetrievals: input.max_retrievals === undefined ? 1 : input.max_retrievals,
    createdAt: nowMs,
    expiresAt: nowMs + input.request_ttl_seconds * 1000,
    kubbiId: null,
    sealedClaimToken: null,
    fulfilledAt: null,
  };
  await context.requests.create(record, context.config.tombstoneRetentionSeconds * 1000);
  const fingerprint = await publicKeyFingerprint(publicKey);
  return {
    ...requestView(record, "open", fingerprint),
    fill_url: fillUrlFor(context, fillToken, fingerprint),
  } satisfies RequestCreated;
}

/** What a request asks for and on what terms: the requester and the filler see the same. */
const termsView = (record: RequestRecord) => ({
  description: record.description,
  wanted: { kind: record.wanted.kind, max_files: record.wanted.maxFiles, max_bytes: record.wanted.maxBytes },
  expires_at: iso(record.expiresAt),
  ttl_seconds: record.kubbiTtlSeconds,
  max_retrievals: record.kubbiMaxRetrievals,
});

function requestView(record: RequestRecord, status: RequestStatus, fingerprint: string): RequestDetail {
  const { kubbiId, sealedClaimToken, fulfilledAt } = record;
  // A fulfilled request always holds its kubbi; the checks only tell the compiler so.
  const fulfilled = status === "fulfilled" && kubbiId !== null && sealedClaimToken !== null;
  return {
    id: record.id,
    status,
    ...termsView(record),
    public_key_fingerprint: fingerprint,
    created_at: iso(record.createdAt),
    fulfilled_at: fulfilled && fulfilledAt !== null ? iso(fulfilledAt) : null,
    kubbi: fulfilled ? { id: kubbiId, sealed_claim_token: sealedClaimToken } : null,
  };
}

async function findOwnedRequest(context: ServiceContext, producer: Producer, id: string): Promise<RequestRecord> {
  if (!UUID_PATTERN.test(id)) throw requestNotFound();
  // Another key's request is indistinguishable from a missing one.
  const record = await context.requests.findById(producer.keyId, id);
  if (!record) throw requestNotFound();
  return record;
}

/**
 * The owner's view. A request left "fulfilling" by a crash after its kubbi was written is finished here:
 * the kubbi exists in the owner's index, so the sealed claim token the request holds opens it.
 */
export async function getRequest(context: ServiceContext, producer: Producer, id: string) {
  const record = await findOwnedRequest(context, producer, id);
  let status = effectiveRequestStatus(record, context.now());
  if (
    status === "fulfilling" &&
    record.kubbiId &&
    (await context.store.findById(producer.keyId, record.kubbiId, context.now()))
  ) {
    await context.requests.finishFill(record.fillHash);
    status = "fulfilled";
  }
  return requestView(record, status, await publicKeyFingerprint(fromBase64Url(record.publicKey)));
}

export async function cancelRequest(context: ServiceContext, producer: Producer, id: string) {
  const record = await findOwnedRequest(context, producer, id);
  const outcome = await context.requests.cancel(record.fillHash, producer.keyId, context.now());
  if (outcome === "not_found") throw requestNotFound();
  if (outcome !== "ok")
    throw new ApiError("conflict", `This request is already ${outcome}; there is nothing to cancel.`);
  return { id: record.id, status: "cancelled" } satisfies RequestCancelled;
}

/** An open request for its fill token, or the refusal a filler should see. */
export async function openRequestFor(context: ServiceContext, fillToken: string): Promise<RequestRecord> {
  if (!isWellFormedClaimToken(fillToken)) throw requestNotFound();
  const record = await context.requests.findByFillHash(hashClaimToken(fillToken));
  if (!record) throw requestNotFound();
  const status = effectiveRequestStatus(record, context.now());
  if (status !== "open") throw REFUSALS[status]();
  return record;
}

/** What the fill page and `fulfil` need: never the owner's key id, plan, or anything of other requests. */
export async function fillInfo(context: ServiceContext, fillToken: string) {
  const record = await openRequestFor(context, fillToken);
  return {
    request_id: record.id,
    requester: record.requesterName,
    public_key: record.publicKey,
    ...termsView(record),
  } satisfies FillInfo;
}

/**
 * One delivery, at most once per request. Steps, since the request (rq:{fillHash}) and the kubbi
 * (kb:{tokenHash}) live in different Redis slots:
 *   1. beginFill: atomically open → fulfilling, recording the kubbi id and its claim token sealed to the
 *      requester. From here every other delivery is refused, whatever happens next.
 *   2. create the kubbi (the requester's, under the requester's plan) with exactly that id and token.
 *   3. finishFill: fulfilling → fulfilled.
 * A refusal in step 2 (quota, size) wrote nothing: the request is handed back (abortFill). A crash or a
 * Redis error in step 2 or 3 leaves it "fulfilling": never a second delivery; if the kubbi was written,
 * the requester's GET finishes step 3 (see getRequest), else the requester cancels and asks again.
 */
export async function deliver(
  context: ServiceContext,
  kubbiSchemas: CreateKubbiSchemas,
  record: RequestRecord,
  envelope: Buffer,
) {
  if (envelope.length > record.wanted.maxBytes) {
    throw new ApiError(
      "payload_too_large",
      `The delivery is ${envelope.length} bytes; this request takes at most ${record.wanted.maxBytes}.`,
    );
  }
  // The server cannot check what is sealed, only that the header is one: a clear 400 for anything else.
  if (
    envelope.length < ENVELOPE_OVERHEAD_BYTES ||
    envelope[0] !== ENVELOPE_VERSION ||
    envelope[1] !== ENVELOPE_SUITE_P256_HKDF_SHA256_AES256GCM
  ) {
    throw validationError([
      `body: must be a sealed envelope (version 1, suite 1, at least ${ENVELOPE_OVERHEAD_BYTES} bytes; see docs/request-links.md)`,
    ]);
  }
  try {
    await importPublicKey(envelope.subarray(2, 2 + ENVELOPE_PUBLIC_KEY_BYTES));
  } catch {
    throw validationError(["body: the envelope's ephemeral public key is not a P-256 point"]);
  }
  // The requester's key is not presented here (nor held); a delivery takes no Idempotency-Key, the one use of it.
  const producer: Producer = { keyId: record.ownerId, name: record.requesterName, plan: record.plan, apiKey: "" };
  const kubbiId = randomUUID();
  const claimToken = newClaimToken();
  const sealedClaimToken = toBase64Url(
    await sealEnvelope(
      fromBase64Url(record.publicKey),
      new TextEncoder().encode(claimToken),
      claimTokenContext(record.id),
    ),
  );
  const begun = await context.requests.beginFill(record.fillHash, { kubbiId, sealedClaimToken }, context.now());
  if (begun === "not_found") throw requestNotFound();
  if (begun !== "ok") throw REFUSALS[begun]();

  const body = {
    files: [
      {
        name: ENVELOPE_FILE_NAME,
        content: envelope.toString("base64"),
        encoding: "base64",
        content_type: ENVELOPE_CONTENT_TYPE,
        role: "attachment",
      },
    ],
    ttl_seconds: record.kubbiTtlSeconds,
    max_retrievals: record.kubbiMaxRetrievals,
    metadata: { kubbi_request_id: record.id },
  };
  const parsed = parseCreateKubbi(kubbiSchemas, body);
  try {
    if ("problems" in parsed) throw validationError(parsed.problems);
    await createKubbi(context, producer, parsed, { id: kubbiId, claimToken });
  } catch (error) {
    if (error instanceof ApiError) await context.requests.abortFill(record.fillHash, kubbiId);
    throw error;
  }
  await context.requests.finishFill(record.fillHash);
  return { request_id: record.id, status: "fulfilled" as const, size_bytes: envelope.length };
}
