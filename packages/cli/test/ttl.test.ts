import { describe, expect, it } from "vitest";
import { CliError } from "../src/exit-codes.js";
import { parseMaxRetrievals, parseTtl } from "../src/ttl.js";

describe("--ttl", () => {
  it("takes seconds and s/m/h/d durations", () => {
    expect(["3600", "90s", "10m", "1h", "2d"].map(parseTtl)).toEqual([3600, 90, 600, 3600, 172_800]);
  });
  it("refuses anything else as a usage error", () => {
    for (const value of ["", "0", "1.5h", "-5", "10 m", "1w", "h"])
      expect(() => parseTtl(value), value).toThrow(CliError);
  });
});

describe("--max-retrievals", () => {
  it("takes a positive integer or unlimited", () => {
    expect([parseMaxRetrievals("1"), parseMaxRetrievals("25"), parseMaxRetrievals("unlimited")]).toEqual([1, 25, null]);
    for (const value of ["0", "-1", "two", "1.5"]) expect(() => parseMaxRetrievals(value), value).toThrow(CliError);
  });
});
