/** The one escape every printed producer string goes through. */
import { describe, expect, it } from "vitest";
import { escapeLines, escapeText, toSafeJson } from "../src/escape.js";

describe("escapeText", () => {
  it.each([
    ["\x1b[31m", "\\x1b[31m"], // ESC (C0)
    ["\x07\x00\r\n\t", "\\x07\\x00\\x0d\\x0a\\x09"], // BEL, NUL, CR, LF, TAB
    ["\x7f\u009b", "\\x7f\\x9b"], // DEL, C1 CSI
    ["a\u202eb\u2066c\u200bd\ufeff", "a\\u202eb\\u2066c\\u200bd\\ufeff"], // bidi override and isolate, zero-width, BOM
    ["\u2028\u2029", "\\u2028\\u2029"], // line and paragraph separators
    ["tag\u{e0041}", "tag\\u{e0041}"], // an invisible tag character (ASCII smuggling)
    ["plain text, café, 日本, 🙂", "plain text, café, 日本, 🙂"],
  ])("%j shows as %s", (raw, shown) => {
    expect(escapeText(raw)).toBe(shown);
  });
});

describe("escapeLines", () => {
  it("keeps LF, tab and CRLF line ends; escapes a lone CR and everything else", () => {
    expect(escapeLines("a\tb\r\nc\nd\re\x1b]52;c;eA==\x07")).toBe("a\tb\r\nc\nd\\x0de\\x1b]52;c;eA==\\x07");
  });
});

describe("toSafeJson", () => {
  it("is JSON of the same value with no raw control, format or separator character", () => {
    const value = { ["k\u202e"]: ["\x1b\x07\r\n\x7f\u009b\u200b\u2028\u{e0041}", 1, null] };
    for (const indent of [undefined, 2]) {
      const json = toSafeJson(value, indent);
      expect(JSON.parse(json)).toEqual(value);
      expect(json.replaceAll("\n", "")).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    }
  });

  it("prints a missing value as null", () => {
    expect(toSafeJson(undefined)).toBe("null");
  });
});
