/** Wire (snake_case) to public (camelCase) shapes and back. Timestamps pass through as the API's ISO strings. */
import { base64ToBytes } from "./base64.js";
import { toWireFile } from "./files.js";
import type {
  ClaimedFile,
  ClaimResult,
  DeleteResult,
  FileManifestEntry,
  InspectResult,
  JsonValue,
  KubbiDetail,
  KubbiEvent,
  KubbiList,
  LastClaim,
  Metadata,
  SendFilesParams,
  SendFilesResult,
  SendParams,
  SendResult,
  SentFile,
} from "./types.js";
import type {
  WireClaim,
  WireClaimedFile,
  WireCreated,
  WireCreatedFile,
  WireCreatedPackage,
  WireCreatedSingle,
  WireCreatePackage,
  WireCreateSingle,
  WireDeleted,
  WireDetail,
  WireEvent,
  WireInspect,
  WireList,
  WireManifestEntry,
} from "./wire.js";

const utf8 = new TextEncoder();

function manifestEntry(file: WireManifestEntry): FileManifestEntry {
  return { name: file.name, contentType: file.content_type, sizeBytes: file.size_bytes, role: file.role ?? null };
}

function sentFile(file: WireCreatedFile): SentFile {
  return { ...manifestEntry(file), sha256: file.sha256 };
}

function metadata(value: unknown): Metadata | null {
  return (value ?? null) as Metadata | null;
}

function created(wire: WireCreated) {
  return {
    id: wire.id,
    claimUrl: wire.claim_url,
    claimToken: wire.claim_token,
    status: wire.status,
    totalSizeBytes: wire.total_size_bytes,
    maxRetrievals: wire.max_retrievals ?? null,
    metadata: metadata(wire.metadata),
    createdAt: wire.created_at,
    expiresAt: wire.expires_at,
  };
}

export function toSendResult(wire: WireCreatedSingle): SendResult {
  return { type: "kubbi", ...created(wire), contentType: wire.content_type };
}

export function toSendFilesResult(wire: WireCreatedPackage): SendFilesResult {
  return { type: "kubbi_package", ...created(wire), fileCount: wire.file_count, files: wire.files.map(sentFile) };
}

/** A server older than the event log says only when: the address and user agent are then unknown (empty). */
function lastClaim(wire: WireDetail): LastClaim | null {
  if (wire.last_claim)
    return { at: wire.last_claim.at, address: wire.last_claim.address, userAgent: wire.last_claim.user_agent };
  return wire.last_retrieved_at ? { at: wire.last_retrieved_at, address: "", userAgent: "" } : null;
}

export function toKubbiDetail(wire: WireDetail): KubbiDetail {
  return {
    id: wire.id,
    type: wire.type,
    status: wire.status,
    contentType: wire.content_type ?? null,
    fileCount: wire.file_count ?? null,
    totalSizeBytes: wire.total_size_bytes,
    maxRetrievals: wire.max_retrievals ?? null,
    retrievalCount: wire.retrieval_count,
    remainingReads: wire.remaining_reads ?? null,
    firstRetrievedAt: wire.first_retrieved_at ?? null,
    lastRetrievedAt: wire.last_retrieved_at ?? null,
    lastClaim: lastClaim(wire),
    // Absent from servers older than the event log: derived from what they do say.
    expiredUnclaimed: wire.expired_unclaimed ?? (wire.status === "expired" && wire.retrieval_count === 0),
    inspectCount: wire.inspect_count ?? 0,
    lastInspectedAt: wire.last_inspected_at ?? null,
    metadata: metadata(wire.metadata),
    files: wire.files ? wire.files.map(manifestEntry) : null,
    // Absent from servers older than this field: their detail never hid anything.
    sealedWithUnknownKey: wire.sealed_with_unknown_key ?? false,
    createdAt: wire.created_at,
    expiresAt: wire.expires_at,
  };
}

export function toKubbiList(wire: WireList): KubbiList {
  const { page, limit, total, total_pages } = wire.pagination;
  return { kubbis: wire.kubbis.map(toKubbiDetail), pagination: { page, limit, total, totalPages: total_pages } };
}

export function toKubbiEvent(wire: WireEvent): KubbiEvent {
  return {
    id: wire.id,
    type: wire.type,
    occurredAt: wire.occurred_at,
    kubbiId: wire.kubbi_id,
    keyId: wire.key_id,
    retrievalCount: wire.retrieval_count,
    maxRetrievals: wire.max_retrievals ?? null,
    retrievalsLeft: wire.retrievals_left ?? null,
    client: wire.client ? { address: wire.client.address, userAgent: wire.client.user_agent } : null,
  };
}

export function toDeleteResult(wire: WireDeleted): DeleteResult {
  return { id: wire.id, status: wire.status };
}

export function toInspectResult(wire: WireInspect): InspectResult {
  const isPackage = wire.type === "kubbi_package";
  return {
    type: wire.type,
    kubbiId: wire.kubbi_id,
    status: wire.status,
    contentType: isPackage ? null : wire.content_type,
    fileCount: isPackage ? wire.file_count : null,
    totalSizeBytes: wire.total_size_bytes,
    maxRetrievals: wire.max_retrievals ?? null,
    retrievalCount: wire.retrieval_count,
    remainingReads: wire.remaining_reads ?? null,
    metadata: metadata(wire.metadata),
    files: isPackage ? wire.files.map(manifestEntry) : null,
    createdAt: wire.created_at,
    expiresAt: wire.expires_at,
    claim: { url: wire.claim.url, method: wire.claim.method, description: wire.claim.description },
  };
}

function claimedFile(file: WireClaimedFile): ClaimedFile {
  const isText = file.encoding !== "base64";
  return {
    ...manifestEntry(file),
    sha256: file.sha256,
    bytes: isText ? utf8.encode(file.content) : base64ToBytes(file.content),
    text: isText ? file.content : null,
  };
}

export function toClaimResult(wire: WireClaim): ClaimResult {
  const common = {
    kubbiId: wire.kubbi_id,
    metadata: metadata(wire.metadata),
    createdAt: wire.created_at,
    expiresAt: wire.expires_at,
    retrievalCount: wire.retrieval_count,
    remainingReads: wire.remaining_reads ?? null,
    burned: wire.burned,
  };
  if (wire.type === "kubbi_package") {
    return {
      type: "kubbi_package",
      ...common,
      fileCount: wire.file_count,
      totalSizeBytes: wire.total_size_bytes,
      files: wire.files.map(claimedFile),
    };
  }
  return { type: "kubbi", ...common, content: wire.content as JsonValue, contentType: wire.content_type };
}

/** The fields both kinds of send share; absent options stay absent on the wire. */
function createCommon(params: { ttlSeconds: number; maxRetrievals?: number | null; metadata?: Metadata | null }) {
  const common: Pick<WireCreateSingle, "ttl_seconds" | "max_retrievals" | "metadata"> = {
    ttl_seconds: params.ttlSeconds,
  };
  if (params.maxRetrievals !== undefined) common.max_retrievals = params.maxRetrievals;
  if (params.metadata !== undefined) common.metadata = params.metadata;
  return common;
}

export function toWireCreateSingle(params: SendParams): WireCreateSingle {
  return { content: params.content, content_type: params.contentType, ...createCommon(params) };
}

/** Binary file content is base64-encoded here, so this is async (a Blob is read). */
export async function toWireCreatePackage(params: SendFilesParams): Promise<WireCreatePackage> {
  return { files: await Promise.all(params.files.map(toWireFile)), ...createCommon(params) };
}
