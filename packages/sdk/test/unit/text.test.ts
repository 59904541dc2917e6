import { describe, expect, it } from "vitest";
import { formatBytes, parseBytes, parsePositiveInt } from "../../src/index.js";
import { API_KEY_PATTERN, bearerCredential, isWellFormedApiKey } from "../../src/wire-codec.js";

describe("numbers as people read and type them (the CLI, the claim page and kubbi-admin use these)", () => {
  it("shows sizes in binary units, a decimal only where it says something", () => {
    expect([0, 1023, 1000, 1024, 1536, 10 * 1024 * 1024, 1536 * 1024, 2 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1000 B",
      "1 KiB",
      "1.5 KiB",
      "10 MiB",
      "1.5 MiB",
      "2 GiB",
    ]);
  });

  it("takes sizes with or without a unit", () => {
    expect(["10485760", "10MiB", "10 mib", "512KiB", "1GiB", "7B"].map(parseBytes)).toEqual([
      10485760,
      10485760,
      10485760,
      524288,
      1024 ** 3,
      7,
    ]);
    expect(["", "10MB", "1.5MiB", "-1", "0", "ten"].map(parseBytes)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("takes positive integers as digits only", () => {
    expect(["1", "20", "9007199254740991"].map(parsePositiveInt)).toEqual([1, 20, 9007199254740991]);
    expect(["0", "-3", "1.5", "2e3", " 4", "", "9007199254740992", "0x10"].map(parsePositiveInt)).toEqual(
      Array(8).fill(undefined),
    );
  });
});

describe("the API key and its header (one rule for the API and the MCP tools)", () => {
  it("a key is kb_ and 43 to 128 base64url characters", () => {
    expect(isWellFormedApiKey(`kb_${"A".repeat(43)}`)).toBe(true);
    expect(isWellFormedApiKey(`kb_${"-_9".repeat(42)}aa`)).toBe(true);
    for (const bad of [
      "kb_typo",
      `kb_${"A".repeat(42)}`,
      `kb_${"A".repeat(129)}`,
      `KB_${"A".repeat(43)}`,
      `kb_${"A".repeat(42)}=`,
    ]) {
      expect(API_KEY_PATTERN.test(bad), bad).toBe(false);
    }
  });

  it("reads the credential of a Bearer header, the scheme in any case", () => {
    expect(bearerCredential("Bearer kb_x")).toBe("kb_x");
    expect(bearerCredential("bearer   kb_x  ")).toBe("kb_x");
    expect(
      [undefined, "", "Bearer", "Bearer ", "Basic kb_x", "Bearer a b", "Bearerkb_x"].map(bearerCredential),
    ).toEqual(Array(7).fill(undefined));
  });
});
