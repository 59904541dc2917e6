import type {
  ClaimPackageResponse,
  ClaimSingleResponse,
  CreatePackageResponse,
  CreateSingleResponse,
  InspectPackageResponse,
  InspectSingleResponse,
  KubbiDetail,
  components,
} from "@kubbi/openapi";
import type { KubbiInfo } from "../crypto/kubbi-sealer.js";
import type { KubbiRecord } from "../store/store.js";
import { manifestEntry, type ClaimedFile, type HashedFile } from "./payload.js";

/**
 * Response bodies, built in one place so every route speaks the same wire format. Each `satisfies` its
 * schema type generated from openapi.yaml, so a field the spec adds, renames or retypes fails to compile here.
 */

export const iso = (epochMs: number) => new Date(epochMs).toISOString();
const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : iso(epochMs));

// The store keeps a single payload's content type as a string; it only ever holds one the request schema accepted.
const singleContentType = (record: KubbiRecord) => record.contentType as components["schemas"]["SingleContentType"];

const remainingReads = (record: KubbiRecord) =>
  record.maxRetrievals === null ? null : Math.max(0, record.maxRetrievals - record.retrievalCount);

/** The manifest as anyone but the producer at creation and the consumer at claim sees it: no hashes. */
const manifestOf = (info: KubbiInfo) => info.files?.map(manifestEntry) ?? null;

/** The 201 body. Its files carry their SHA-256: the producer sent the bytes, so the hashes tell it nothing new. */
export function createdView(
  record: KubbiRecord,
  metadata: KubbiInfo["metadata"],
  files: HashedFile[] | null,
  claimUrl: string,
  claimToken: string,
) {
  const common = {
    id: record.id,
    claim_url: claimUrl,
    claim_token: claimToken,
    status: record.status,
    total_size_bytes: record.totalSizeBytes,
    max_retrievals: record.maxRetrievals,
    metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
  };
  return record.kind === "package"
    ? ({
        ...common,
        type: "kubbi_package",
        file_count: record.fileCount,
        files: files ?? [],
      } satisfies CreatePackageResponse)
    : ({ ...common, type: "kubbi", content_type: singleContentType(record) } satisfies CreateSingleResponse);
}

/**
 * The producer's view. A kubbi that is gone has no info left to show; sealedWithUnknownKey marks one
 * whose server key has left the ring, shown without its info rather than failing the whole page.
 */
export function detailView(record: KubbiRecord, info: KubbiInfo, sealedWithUnknownKey: boolean) {
  return {
    id: record.id,
    type: record.kind === "package" ? "kubbi_package" : "kubbi",
    status: record.status,
    content_type: record.kind === "single" ? singleContentType(record) : null,
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
    last_claim:
      record.lastRetrievedAt === null
        ? null
        : {
            at: iso(record.lastRetrievedAt),
            address: record.lastClaimClient?.address ?? "",
            user_agent: record.lastClaimClient?.userAgent ?? "",
          },
    inspect_count: record.inspectCount,
    last_inspected_at: isoOrNull(record.lastInspectedAt),
    expired_unclaimed: record.status === "expired" && record.retrievalCount === 0,
  } satisfies KubbiDetail;
}

const CLAIM_DESCRIPTION = "POST to this URL to retrieve the content. This counts as a retrieval.";

/** Only an active kubbi can be inspected: a gone one is 410 before it gets here. */
export function inspectView(record: KubbiRecord & { status: "active" }, info: KubbiInfo, claimUrl: string) {
  const common = {
    kubbi_id: record.id,
    status: record.status,
    total_size_bytes: record.totalSizeBytes,
    max_retrievals: record.maxRetrievals,
    retrieval_count: record.retrievalCount,
    remaining_reads: remainingReads(record),
    metadata: info.metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    claim: { url: `${claimUrl}/claim`, method: "POST", description: CLAIM_DESCRIPTION } as const,
  };
  return record.kind === "package"
    ? ({
        ...common,
        type: "kubbi_package",
        file_count: record.fileCount,
        files: manifestOf(info) ?? [],
      } satisfies InspectPackageResponse)
    : ({ ...common, type: "kubbi", content_type: singleContentType(record) } satisfies InspectSingleResponse);
}

export function claimView(
  record: KubbiRecord,
  info: KubbiInfo,
  burned: boolean,
  content: { single: unknown } | { files: ClaimedFile[] },
) {
  const common = {
    kubbi_id: record.id,
    metadata: info.metadata,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    retrieval_count: record.retrievalCount,
    remaining_reads: remainingReads(record),
    burned,
  };
  return "files" in content
    ? ({
        ...common,
        type: "kubbi_package",
        file_count: record.fileCount,
        total_size_bytes: record.totalSizeBytes,
        files: content.files,
      } satisfies ClaimPackageResponse)
    : ({
        ...common,
        type: "kubbi",
        content: content.single,
        content_type: singleContentType(record),
      } satisfies ClaimSingleResponse);
}
