import type { KubbiInfo } from "../crypto/kubbi-sealer.js";
import type { KubbiRecord } from "../store/store.js";
import { manifestEntry, type ClaimedFile, type HashedFile } from "./payload.js";

/** Response bodies, built in one place so every route speaks the same wire format. */

export const iso = (epochMs: number) => new Date(epochMs).toISOString();
const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : iso(epochMs));

const wireType = (record: KubbiRecord) => (record.kind === "package" ? "kubbi_package" : "kubbi");

const remainingReads = (record: KubbiRecord) =>
  record.maxRetrievals === null ? null : Math.max(0, record.maxRetrievals - record.retrievalCount);

/** Fields that differ by kind: a single payload has a content type, a package a file count. */
function shape(record: KubbiRecord) {
  return record.kind === "package"
    ? { file_count: record.fileCount, total_size_bytes: record.totalSizeBytes }
    : { content_type: record.contentType, total_size_bytes: record.totalSizeBytes };
}

/** The manifest as anyone but the producer at creation and the consumer at claim sees it: no hashes. */
const manifestOf = (info: KubbiInfo) => info.files?.map(manifestEntry) ?? null;

/** The 201 body. Its files carry their SHA-256: the producer sent the bytes, so the hashes tell it nothing new. */
export function createdView(record: KubbiRecord, metadata: KubbiInfo["metadata"], files: HashedFile[] | null, claimUrl: string, claimToken: string) {
  return {
    id: record.id,
    type: wireType(record),
    claim_url: claimUrl,
    claim_token: claimToken,
    status: record.status,
    ...shape(record),
    ...(record.kind === "package" ? { files: files ?? [] } : {}),
    max_retrievals: record.maxRetrievals,
    metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
  };
}

/**
 * The producer's view. A kubbi that is gone has no info left to show; sealedWithUnknownKey marks one
 * whose server key has left the ring, shown without its info rather than failing the whole page.
 */
export function detailView(record: KubbiRecord, info: KubbiInfo, sealedWithUnknownKey: boolean) {
  return {
    id: record.id,
    type: wireType(record),
    status: record.status,
    content_type: record.kind === "single" ? record.contentType : null,
    file_count: record.kind === "package" ? record.fileCount : null,
    total_size_bytes: record.totalSizeBytes,
    max_retrievals: record.maxRetrievals,
    retrieval_count: record.retrievalCount,
    remaining_reads: remainingReads(record),
    first_retrieved_at: isoOrNull(record.firstRetrievedAt),
    last_retrieved_at: isoOrNull(record.lastRetrievedAt),
    metadata: info.metadata,
    files: manifestOf(info),
    sealed_with_unknown_key: sealedWithUnknownKey,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
  };
}

export const CLAIM_DESCRIPTION = "POST to this URL to retrieve the content. This counts as a retrieval.";

export function inspectView(record: KubbiRecord, info: KubbiInfo, claimUrl: string) {
  return {
    type: wireType(record),
    kubbi_id: record.id,
    status: record.status,
    ...shape(record),
    ...(record.kind === "package" ? { files: manifestOf(info) ?? [] } : {}),
    max_retrievals: record.maxRetrievals,
    retrieval_count: record.retrievalCount,
    remaining_reads: remainingReads(record),
    metadata: info.metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    claim: { url: `${claimUrl}/claim`, method: "POST", description: CLAIM_DESCRIPTION },
  };
}

export function claimView(record: KubbiRecord, info: KubbiInfo, burned: boolean, content: { single: unknown } | { files: ClaimedFile[] }) {
  return {
    type: wireType(record),
    kubbi_id: record.id,
    ...("files" in content ? { file_count: record.fileCount, total_size_bytes: record.totalSizeBytes, files: content.files } : { content: content.single, content_type: record.contentType }),
    metadata: info.metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    retrieval_count: record.retrievalCount,
    remaining_reads: remainingReads(record),
    burned,
  };
}
