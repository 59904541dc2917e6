/**
 * Control characters (C0, DEL, C1) and the bidirectional and invisible formatting characters that
 * can make printed text lie about itself (U+202E turns "gpj.exe" into "exe.jpg").
 */
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
const DECEPTIVE_OR_BACKSLASH = new RegExp(`${DECEPTIVE.source}|\\\\`, "g");
const SHORT_ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };

/** Key names: 1-100 characters, none of them deceptive. */
export function isAcceptableName(name: string): boolean {
  return name.length >= 1 && name.length <= 100 && !DECEPTIVE.test(name);
}

/** Text for one terminal cell: deceptive characters (and backslash) become visible escapes. */
export function escapeForTerminal(text: string): string {
  return text.replace(DECEPTIVE_OR_BACKSLASH, (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const UNITS = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
] as const;

/** "10 MiB", "1.5 KiB", "1000 B". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}

/** "10485760", "10MiB", "10 MiB", "512KiB", "1GiB" → bytes; undefined when it is none of these. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS.find(([name]) => name.toLowerCase() === match[2]?.toLowerCase());
  const bytes = Number(match[1]) * (unit?.[1] ?? 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** Rows as columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n");
}
