/**
 * The SDK's results as tool output: the SDK's own objects, less what a conversation should not carry —
 * the bare claim token (the claim URL holds it), inspect's raw POST instructions (the model calls
 * kubbi_claim), a detail's sealing flag, content hashes outside a claim, and bytes (text or base64).
 */
import type { ClaimResult, InspectResult, KubbiDetail, KubbiList, SendFilesResult, SendResult } from "@kubbi.ai/sdk";
import type { ClaimOutput, DetailOutput, InspectOutput, ListOutput, SendFilesOutput, SendOutput } from "./schemas.js";

export function presentSend({ claimToken: _token, ...sent }: SendResult): SendOutput {
  return sent;
}

export function presentSendFiles({ claimToken: _token, files, ...sent }: SendFilesResult): SendFilesOutput {
  return { ...sent, files: files.map(({ sha256: _hash, ...entry }) => entry) };
}

export function presentInspect({ claim: _instructions, ...info }: InspectResult): InspectOutput {
  return info;
}

export function presentDetail({ sealedWithUnknownKey: _sealed, ...kubbi }: KubbiDetail): DetailOutput {
  return kubbi;
}

export function presentList(list: KubbiList): ListOutput {
  return { kubbis: list.kubbis.map(presentDetail), pagination: list.pagination };
}

/** What every claim result says besides the content. */
export function claimCommon(claimed: ClaimResult) {
  const { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt } = claimed;
  return { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt };
}

/** A claim whose content goes into the conversation: a package's bytes as text, or base64 where they are not text. */
export function presentClaim(claimed: ClaimResult): ClaimOutput {
  if (claimed.type === "kubbi") return claimed;
  const files = claimed.files.map(({ bytes, text, ...file }) =>
    text === null
      ? { ...file, content: Buffer.from(bytes).toString("base64"), encoding: "base64" as const }
      : { ...file, content: text, encoding: null },
  );
  return { ...claimed, files };
}
