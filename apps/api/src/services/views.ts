import type { KubbiInfo } from "../crypto/kubbi-sealer.js";
import type { KubbiRecord } from "../store/store.js";
import type { ClaimedFile } from "./payload.js";

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

export function createdView(record: KubbiRecord, info: KubbiInfo, claimUrl: string, claimToken: string) {
  return {
    id: record.id,
    type: wireType(record),
    claim_url: claimUrl,
    claim_token: claimToken,
    status: record.status,
    ...shape(record),
    ...(record.kind === "package" ? { files: info.files ?? [] } : {}),
    max_retrievals: record.maxRetrievals,
    metadata: info.metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
  };
}

export function detailView(record: KubbiRecord, info: KubbiInfo) {
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
    files: info.files,
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
    ...(record.kind === "package" ? { files: info.files ?? [] } : {}),
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
