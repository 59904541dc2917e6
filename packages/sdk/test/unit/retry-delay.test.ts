import { describe, expect, it } from "vitest";
import { isTransientStatus, parseRetryAfter, retryDelayMs } from "../../src/retry.js";

describe("backoff", () => {
  it("doubles from 0.5 s and stops growing at 8 s", () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 10].map((retry) => retryDelayMs(retry, null, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it("jitter takes off at most a quarter", () => {
    expect(retryDelayMs(1, null, () => 0.999999)).toBe(375);
    expect(retryDelayMs(5, null, () => 0.5)).toBe(7000);
  });

  it("a Retry-After wins over the backoff, up to the cap", () => {
    expect(retryDelayMs(1, 3000)).toBe(3000);
    expect(retryDelayMs(1, 0)).toBe(0);
    expect(retryDelayMs(1, 60_000)).toBe(60_000);
    expect(retryDelayMs(1, 60_001)).toBeNull();
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-03-28T12:00:00.000Z");
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Sat, 28 Mar 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sat, 28 Mar 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    for (const value of [null, "", "soon", "-5"]) expect(parseRetryAfter(value, now)).toBeNull();
  });
});

describe("transient statuses", () => {
  it("are 502, 503, 504 and a rate-limit 429 only", () => {
    expect([502, 503, 504].every((status) => isTransientStatus(status, null))).toBe(true);
    expect(isTransientStatus(429, "rate_limited")).toBe(true);
    expect(isTransientStatus(429, "quota_exceeded")).toBe(false);
    for (const status of [400, 401, 404, 409, 410, 413, 500, 501]) expect(isTransientStatus(status, null)).toBe(false);
  });
});
