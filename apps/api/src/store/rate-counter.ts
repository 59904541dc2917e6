import { rateCounterKey } from "./keys.js";
import type { RateLimitResult } from "./store.js";

interface WindowCount {
  window: number;
  windowMs: number;
  /** The window's total across every process, as of the last flush. */
  known: number;
  /** Hits sent to Redis by a flush that has not answered yet: still counted here until it does. */
  inFlight: number;
  /** Hits counted here and not yet added to Redis. */
  pending: number;
}

/** How often local hits are added to the shared counters. */
const FLUSH_INTERVAL_MS = 50;

/**
 * Fixed-window rate counting without a Redis round trip per request: hits are counted in process
 * and added to the shared counter in one batch every 50 ms, which also brings back the total from
 * every other process. Within one process the count is exact; across processes a burst can overshoot
 * by what arrives in one flush interval. That trade keeps the claim path to a single round trip.
 */
export class BatchedRateCounter {
  private readonly windows = new Map<string, WindowCount>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly addHits: (counterKey: string, hits: number, windowMs: number) => Promise<number>) {}

  hit(bucket: string, limit: number, windowMs: number, nowMs: number): RateLimitResult {
    const window = Math.floor(nowMs / windowMs);
    let count = this.windows.get(bucket);
    if (!count || count.window !== window)
      this.windows.set(bucket, (count = { window, windowMs, known: 0, inFlight: 0, pending: 0 }));
    count.pending += 1;
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    const used = count.known + count.inFlight + count.pending;
    return { allowed: used <= limit, remaining: Math.max(0, limit - used), resetMs: (window + 1) * windowMs - nowMs };
  }

  async flush(): Promise<void> {
    this.flushTimer = undefined;
    const nowWindow = (count: WindowCount) => Math.floor(Date.now() / count.windowMs);
    await Promise.all(
      [...this.windows].map(async ([bucket, count]) => {
        if (count.pending === 0) {
          if (count.window < nowWindow(count)) this.windows.delete(bucket);
          return;
        }
        // The hits move from pending to in flight, never out of the count: a burst that arrives while
        // Redis has not answered yet is still measured against them.
        const sent = count.pending;
        count.pending = 0;
        count.inFlight += sent;
        try {
          const total = await this.addHits(rateCounterKey(bucket, count.window), sent, count.windowMs);
          // A window's total only grows: an answer that overtook this one already counted these hits.
          count.known = Math.max(count.known, total);
        } catch {
          count.known += sent; // Redis unreachable: keep limiting on what this process saw.
        } finally {
          count.inFlight -= sent;
        }
      }),
    );
  }
}
