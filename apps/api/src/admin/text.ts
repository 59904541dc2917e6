/**
 * Control characters (C0, DEL, C1) and the bidirectional and invisible formatting characters that
 * can make printed text lie about itself (U+202E turns "gpj.exe" into "exe.jpg").
 */
const DECEPTIVE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const DECEPTIVE_OR_BACKSLASH = new RegExp(`${DECEPTIVE.source}|\\\\`, "gu");
const SHORT_ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };

/** Key names: 1-100 characters, none of them deceptive. */
export function isAcceptableName(name: string): boolean {
  return name.length >= 1 && name.length <= 100 && !DECEPTIVE.test(name);
}

/** Text for one terminal cell: deceptive characters (and backslash) become visible escapes. */
export function escapeForTerminal(text: string): string {
  return text.replace(
    DECEPTIVE_OR_BACKSLASH,
    (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Rows as columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  "),
    )
    .join("\n");
}
