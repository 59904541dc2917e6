/** The first retry waits about a second; each failure doubles the wait, up to ten minutes. */
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 10 * 60_000;

/**
 * Capped exponential backoff with jitter: after `failures` failed attempts, wait between half and all of
 * min(cap, first * 2^(failures-1)), so deliveries to an endpoint that was down do not all return at once.
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}
