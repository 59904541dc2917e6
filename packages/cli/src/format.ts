/** Text output for people; --json gives the SDK's objects instead. */
import type { FileManifestEntry, InspectResult, KubbiDetail } from "@kubbi.ai/sdk";
import { formatBytes } from "./progress.js";

function rows(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n") + "\n";
}

function reads(kubbi: InspectResult | KubbiDetail): string {
  if (kubbi.maxRetrievals === null) return `${kubbi.retrievalCount} (unlimited until it expires)`;
  return `${kubbi.retrievalCount} of ${kubbi.maxRetrievals} (${kubbi.remainingReads ?? 0} remaining)`;
}

function kind(kubbi: InspectResult | KubbiDetail): string {
  const size = formatBytes(kubbi.totalSizeBytes);
  return kubbi.type === "kubbi_package" ? `package of ${kubbi.fileCount} file${kubbi.fileCount === 1 ? "" : "s"}, ${size}` : `${kubbi.contentType}, ${size}`;
}

/** Sent and claimed files carry a sha256; inspected and listed manifests never do. */
export function fileTable(files: Array<FileManifestEntry & { sha256?: string }>): string {
  return files.map((file) => `  ${file.name}  ${file.contentType}  ${formatBytes(file.sizeBytes)}  ${file.role ?? "-"}${file.sha256 === undefined ? "" : `  sha256:${file.sha256}`}`).join("\n") + "\n";
}

function describe(kubbi: InspectResult | KubbiDetail, id: string, extra: [string, string][]): string {
  const pairs: [string, string][] = [
    ["id", id],
    ["status", kubbi.status],
    ["content", kind(kubbi)],
    ["retrievals", reads(kubbi)],
    ...extra,
    ["created", kubbi.createdAt],
    ["expires", kubbi.expiresAt],
  ];
  if (kubbi.metadata) pairs.push(["metadata", JSON.stringify(kubbi.metadata)]);
  return rows(pairs) + (kubbi.files?.length ? `files\n${fileTable(kubbi.files)}` : "");
}

export function formatInspect(info: InspectResult): string {
  return describe(info, info.kubbiId, []);
}

export function formatDetail(kubbi: KubbiDetail): string {
  return describe(kubbi, kubbi.id, [
    ["first claimed", kubbi.firstRetrievedAt ?? "never"],
    ["last claimed", kubbi.lastRetrievedAt ?? "never"],
  ]);
}

export function formatList(kubbis: KubbiDetail[]): string {
  const header = ["ID", "STATUS", "CONTENT", "RETRIEVALS", "EXPIRES"];
  const lines = kubbis.map((kubbi) => [kubbi.id, kubbi.status, kind(kubbi), reads(kubbi), kubbi.expiresAt]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n") + "\n";
}
