/**
 * Everything a producer (or a hostile server) chose reaches the terminal escaped: names, content types,
 * metadata, roles, ids, error messages. A raw ESC moves the cursor or rewrites the screen, OSC 52 writes the
 * clipboard, BEL and CR hide or overwrite text, and bidirectional or invisible characters make one name
 * look like another (U+202E shows "invoice\u202Efdp.exe" as "invoiceexe.pdf"). The set is every Unicode
 * control (C0, DEL, C1), format (bidirectional, zero-width, tags) and line or paragraph separator character.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const UNSAFE_OR_CRLF = /\r\n|[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, "0");

/** The one escape: \x1b for a code point up to U+00FF, \u202e up to U+FFFF, \u{e0041} beyond. */
function escapeCharacter(char: string): string {
  const code = char.codePointAt(0)!;
  if (code <= 0xff) return `\\x${hex(code, 2)}`;
  return code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${hex(code, 1)}}`;
}

/** For one value on one line (a table cell, a name): every such character escaped, newlines and tabs included. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeCharacter);
}

/** For text of several lines (a payload shown on a terminal): keeps \n, \t and CRLF line ends, escapes the rest (a lone CR too). */
export function escapeLines(text: string): string {
  return text.replace(UNSAFE_OR_CRLF, (match) =>
    match === "\n" || match === "\t" || match === "\r\n" ? match : escapeCharacter(match),
  );
}

/**
 * JSON that parses to the same value with no raw unsafe character in it: JSON.stringify escapes C0 but
 * leaves DEL, C1 and format characters raw, so those become \uXXXX escapes (surrogate pairs beyond U+FFFF).
 * The only raw newlines left are the indentation's own.
 */
export function toSafeJson(value: unknown, indent?: number): string {
  // A hostile server may leave a value out: undefined prints as null rather than crashing.
  return (JSON.stringify(value, null, indent) ?? "null").replace(UNSAFE, (match) =>
    match === "\n"
      ? match
      : Array.from({ length: match.length }, (_, index) => `\\u${hex(match.charCodeAt(index), 4)}`).join(""),
  );
}
