/**
 * Event ids are Redis stream ids, `<ms>-<seq>`: ordered by milliseconds, then sequence. Each part is an
 * unsigned 64-bit number in Redis; at most 19 digits keeps any accepted id inside that range, so a query
 * cannot make Redis refuse it (a 500) where a 400 belongs.
 */
export const EVENT_ID_PATTERN = /^\d{1,19}-\d{1,19}$/;

/** Negative, zero or positive as a is before, equal to or after b (both well formed). */
export function compareEventIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split("-").map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The next id of a log whose last id is `last`, as Redis makes them: the clock's ms, never going back. */
export function nextEventId(last: string | null, nowMs: number): string {
  if (last === null) return `${nowMs}-0`;
  const [lastMs, lastSeq] = last.split("-").map(Number) as [number, number];
  return nowMs > lastMs ? `${nowMs}-0` : `${lastMs}-${lastSeq + 1}`;
}
