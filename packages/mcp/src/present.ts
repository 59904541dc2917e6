/**
 * The SDK's results as tool output. They are the SDK's own camelCase shapes; what differs is only what a
 * conversation should not carry: the bare claim token (the claim URL holds it), inspect's raw POST
 * instructions (the model calls kubbi_claim), content hashes outside a claim, and bytes (text or base64).
 */
import type { ClaimResult, FileManifestEntry, InspectResult, KubbiDetail, KubbiList, SendFilesResult, SendResult } from "@kubbi.ai/sdk";
import type { ClaimOutput, DetailOutput, InspectOutput, ListOutput, SendFilesOutput, SendOutput } from "./schemas.js";

type Manifest = Pick<FileManifestEntry, "name" | "contentType" | "sizeBytes" | "role">;
const manifest = ({ name, contentType, sizeBytes, role }: Manifest) => ({ name, contentType, sizeBytes, role });

function common(kubbi: SendResult | SendFilesResult | KubbiDetail | InspectResult) {
  const { status, totalSizeBytes, maxRetrievals, metadata, createdAt, expiresAt } = kubbi;
  return { status, totalSizeBytes, maxRetrievals, metadata, createdAt, expiresAt };
}

export function presentSend(sent: SendResult): SendOutput {
  return { id: sent.id, type: sent.type, claimUrl: sent.claimUrl, contentType: sent.contentType, ...common(sent) };
}

export function presentSendFiles(sent: SendFilesResult): SendFilesOutput {
  return { id: sent.id, type: sent.type, claimUrl: sent.claimUrl, fileCount: sent.fileCount, files: sent.files.map(manifest), ...common(sent) };
}

function state(kubbi: KubbiDetail | InspectResult) {
  const { type, contentType, fileCount, files, retrievalCount, remainingReads } = kubbi;
  return { type, ...common(kubbi), contentType, fileCount, files: files?.map(manifest) ?? null, retrievalCount, remainingReads };
}

export function presentInspect(info: InspectResult): InspectOutput {
  return { kubbiId: info.kubbiId, ...state(info) };
}

export function presentDetail(kubbi: KubbiDetail): DetailOutput {
  return { id: kubbi.id, ...state(kubbi), firstRetrievedAt: kubbi.firstRetrievedAt, lastRetrievedAt: kubbi.lastRetrievedAt };
}

export function presentList(list: KubbiList): ListOutput {
  return { kubbis: list.kubbis.map(presentDetail), pagination: list.pagination };
}

/** What every claim result says besides the content. */
export function claimCommon(claimed: ClaimResult) {
  const { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt } = claimed;
  return { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt };
}

/** A claim whose content goes into the conversation. */
export function presentClaim(claimed: ClaimResult): ClaimOutput {
  if (claimed.type === "kubbi") return { ...claimCommon(claimed), contentType: claimed.contentType, content: claimed.content };
  const files = claimed.files.map((file) => ({
    ...manifest(file),
    sha256: file.sha256,
    ...(file.text === null ? { content: Buffer.from(file.bytes).toString("base64"), encoding: "base64" as const } : { content: file.text, encoding: null }),
  }));
  return { ...claimCommon(claimed), fileCount: claimed.fileCount, totalSizeBytes: claimed.totalSizeBytes, files };
}
