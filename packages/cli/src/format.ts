/**
 * Text output for people; --json gives the SDK's objects instead. Every value a producer or the server
 * chose goes through escapeText, cell by cell, so a name with a newline cannot fake a row either.
 */
import {
  type FileManifestEntry,
  type InspectResult,
  type KubbiDetail,
  type KubbiEvent,
  type LastClaim,
  formatBytes,
} from "@kubbi.ai/sdk";
import { unsafeFileNameReason } from "@kubbi.ai/sdk/node";
import { escapeText, toSafeJson } from "./escape.js";

/** Aligned columns, two spaces apart; every cell escaped. */
function columns(lines: readonly (readonly string[])[], indent = ""): string {
  const cells = lines.map((line) => line.map((cell) => escapeText(String(cell))));
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  return (
    cells
      .map(
        (line) =>
          indent +
          line
            .map((cell, column) => cell.padEnd(widths[column]!))
            .join("  ")
            .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

function reads(kubbi: InspectResult | KubbiDetail): string {
  if (kubbi.maxRetrievals === null) return `${kubbi.retrievalCount} of unlimited`;
  return `${kubbi.retrievalCount} of ${kubbi.maxRetrievals} (${kubbi.remainingReads ?? 0} remaining)`;
}

const times = (count: number) => `${count} time${count === 1 ? "" : "s"}`;

/** When, and from where as far as the server knows; the user agent is the consumer's word (escaped with the cell). */
function claimLine(claim: LastClaim | null): string {
  if (claim === null) return "never";
  const where = claim.address ? ` from ${claim.address}` : "";
  const agent = claim.userAgent ? `, user agent ${claim.userAgent}` : "";
  return `${claim.at}${where}${agent}`;
}

function kind(kubbi: InspectResult | KubbiDetail): string {
  const size = formatBytes(kubbi.totalSizeBytes);
  return kubbi.type === "kubbi_package"
    ? `package of ${kubbi.fileCount} file${kubbi.fileCount === 1 ? "" : "s"}, ${size}`
    : `${kubbi.contentType}, ${size}`;
}

/** The files a claim would write, and whatever tools would pick up by themselves among them. */
export function unsafeFiles(files: readonly FileManifestEntry[] | null): { name: string; reason: string }[] {
  return (files ?? []).flatMap((file) => {
    const reason = unsafeFileNameReason(file.name);
    return reason === null ? [] : [{ name: file.name, reason }];
  });
}

/** Name, type, size and role: no content hash (inspect is free and must not be a content oracle). */
function fileTable(files: readonly FileManifestEntry[]): string {
  return columns(
    files.map((file) => {
      const reason = unsafeFileNameReason(file.name);
      return [
        file.name,
        file.contentType,
        formatBytes(file.sizeBytes),
        file.role ?? "-",
        reason === null ? "" : `! unsafe name: ${reason}`,
      ];
    }),
    "  ",
  );
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
  if (kubbi.metadata) pairs.push(["metadata", toSafeJson(kubbi.metadata)]);
  return columns(pairs) + (kubbi.files?.length ? `files\n${fileTable(kubbi.files)}` : "");
}

export function formatInspect(info: InspectResult): string {
  return describe(info, info.kubbiId, []);
}

export function formatDetail(kubbi: KubbiDetail): string {
  const extra: [string, string][] = [
    ["first claimed", kubbi.firstRetrievedAt ?? "never"],
    ["last claimed", claimLine(kubbi.lastClaim)],
    [
      "inspected",
      kubbi.lastInspectedAt === null ? "never" : `${times(kubbi.inspectCount)}, last ${kubbi.lastInspectedAt}`,
    ],
  ];
  if (kubbi.status === "expired")
    extra.push([
      "expired",
      kubbi.expiredUnclaimed
        ? "unclaimed"
        : `after ${kubbi.retrievalCount} claim${kubbi.retrievalCount === 1 ? "" : "s"}`,
    ]);
  return describe(kubbi, kubbi.id, extra);
}

/** One row per event, oldest first; producer and server events have no client, shown as "-". */
export function formatEvents(events: readonly KubbiEvent[]): string {
  return columns([
    ["TIME", "EVENT", "RETRIEVALS", "ADDRESS", "USER AGENT"],
    ...events.map((event) => [
      event.occurredAt,
      event.type,
      `${event.retrievalCount} of ${event.maxRetrievals ?? "unlimited"}`,
      event.client?.address || "-",
      event.client?.userAgent || "-",
    ]),
  ]);
}

export function formatList(kubbis: KubbiDetail[]): string {
  const header = ["ID", "STATUS", "CONTENT", "RETRIEVALS", "EXPIRES"];
  return columns([
    header,
    ...kubbis.map((kubbi) => [kubbi.id, kubbi.status, kind(kubbi), reads(kubbi), kubbi.expiresAt]),
  ]);
}
