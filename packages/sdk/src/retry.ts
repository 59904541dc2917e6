/** When to try again and how long to wait: capped exponential backoff with jitter, Retry-After wins. */
import { ERROR_STATUS, type ErrorCode as KubbiErrorCode } from "@kubbi/openapi";

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A Retry-After longer than this is not waited out: the error goes to the caller with its retryAfter. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Statuses that say the request did not get through a healthy server, so trying again is reasonable. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

/**
 * Error codes that clear by themselves: a 429 for the request rate (not for a quota; the server sends
 * Retry-After with it), and a 409 for a send whose first attempt, with the same Idempotency-Key, is
 * still running (its retry then replays that attempt's 201).
 */
const TRANSIENT_CODES: ReadonlySet<KubbiErrorCode> = new Set(["rate_limited", "idempotency_in_progress"]);

export function isTransientStatus(status: number, code: string | null): boolean {
  return (
    TRANSIENT_STATUSES.has(status) ||
    (code !== null && TRANSIENT_CODES.has(code as KubbiErrorCode) && ERROR_STATUS[code as KubbiErrorCode] === status)
  );
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or null when absent or unparseable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date always has a weekday or month name; anything else (say "-5") is not a date.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1-based). With a usable Retry-After that is the wait;
 * otherwise 0.5 s doubling up to 8 s, less up to 25% jitter so many clients do not retry in step.
 * Returns null when the server asked for a wait too long to sit through.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  if (retryAfterMs !== null) return retryAfterMs <= MAX_RETRY_AFTER_MS ? retryAfterMs : null;
  const base = Math.min(INITIAL_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS);
  return Math.round(base * (1 - 0.25 * random()));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
