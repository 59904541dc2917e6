/** The SDK's camelCase results as the tools' snake_case structured output. */
import type { ClaimResult, FileManifestEntry, InspectResult, KubbiDetail, KubbiList, SendFilesResult, SendResult } from "@kubbi.ai/sdk";
import type { ClaimOutput, DetailOutput, InspectOutput, ListOutput, SentOutput } from "./schemas.js";

/** Sent and claimed files carry their sha256; inspect and detail manifests never do. */
function manifest(file: FileManifestEntry & { sha256?: string }) {
  return { name: file.name, content_type: file.contentType, size_bytes: file.sizeBytes, role: file.role, ...(file.sha256 === undefined ? {} : { sha256: file.sha256 }) };
}

export function presentSent(sent: SendResult | SendFilesResult): SentOutput {
  const isPackage = sent.type === "kubbi_package";
  return {
    id: sent.id,
    type: sent.type,
    claim_url: sent.claimUrl,
    status: sent.status,
    content_type: isPackage ? null : sent.contentType,
    file_count: isPackage ? sent.fileCount : null,
    files: isPackage ? sent.files.map(manifest) : null,
    total_size_bytes: sent.totalSizeBytes,
    max_retrievals: sent.maxRetrievals,
    metadata: sent.metadata,
    created_at: sent.createdAt,
    expires_at: sent.expiresAt,
  };
}

function detailFields(kubbi: KubbiDetail | InspectResult) {
  return {
    type: kubbi.type,
    status: kubbi.status,
    content_type: kubbi.contentType,
    file_count: kubbi.fileCount,
    files: kubbi.files?.map(manifest) ?? null,
    total_size_bytes: kubbi.totalSizeBytes,
    max_retrievals: kubbi.maxRetrievals,
    retrieval_count: kubbi.retrievalCount,
    remaining_reads: kubbi.remainingReads,
    metadata: kubbi.metadata,
    created_at: kubbi.createdAt,
    expires_at: kubbi.expiresAt,
  };
}

export function presentInspect(info: InspectResult): InspectOutput {
  return { kubbi_id: info.kubbiId, ...detailFields(info) };
}

export function presentDetail(kubbi: KubbiDetail): DetailOutput {
  return { id: kubbi.id, ...detailFields(kubbi), first_retrieved_at: kubbi.firstRetrievedAt, last_retrieved_at: kubbi.lastRetrievedAt };
}

export function presentList(list: KubbiList): ListOutput {
  const { page, limit, total, totalPages } = list.pagination;
  return { kubbis: list.kubbis.map(presentDetail), pagination: { page, limit, total, total_pages: totalPages } };
}

export function presentClaim(claimed: ClaimResult): ClaimOutput {
  const common = {
    type: claimed.type,
    kubbi_id: claimed.kubbiId,
    burned: claimed.burned,
    retrieval_count: claimed.retrievalCount,
    remaining_reads: claimed.remainingReads,
    metadata: claimed.metadata,
    created_at: claimed.createdAt,
    expires_at: claimed.expiresAt,
  };
  if (claimed.type === "kubbi") return { ...common, content_type: claimed.contentType, content: claimed.content, files: null };
  const files = claimed.files.map((file) =>
    file.text === null
      ? { ...manifest(file), content: Buffer.from(file.bytes).toString("base64"), encoding: "base64" as const }
      : { ...manifest(file), content: file.text, encoding: null },
  );
  return { ...common, content_type: null, content: null, files };
}
