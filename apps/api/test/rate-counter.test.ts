import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchedRateCounter } from "../src/store/rate-counter.js";

const WINDOW_MS = 60_000;
const LIMIT = 6;
/** The middle of a window, so no hit of a test crosses into the next one. */
const NOW = 10 * WINDOW_MS + WINDOW_MS / 2;

/** An addHits whose answers the test releases by hand: Redis "answers" exactly when the test says so. */
function controlledRedis() {
  let total = 0;
  const waiting: Array<() => void> = [];
  const addHits = vi.fn((_counterKey: string, hits: number) => {
    total += hits;
    const answer = total;
    return new Promise<number>((resolve) => waiting.push(() => resolve(answer)));
  });
  return { addHits, answerAll: () => waiting.splice(0).forEach((answer) => answer()) };
}

describe("the batched rate counter is exact within one process", () => {
  // Fake timers: the 50 ms flush timer never fires on its own; the test runs every flush itself.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const allowedOf = (counter: BatchedRateCounter, hits: number) =>
    Array.from({ length: hits }, () => counter.hit("ip:burst", LIMIT, WINDOW_MS, NOW).allowed).filter(Boolean).length;

  it("a burst that arrives while a flush is waiting for Redis is still counted against the hits in flight", async () => {
    const redis = controlledRedis();
    const counter = new BatchedRateCounter(redis.addHits);
    expect(allowedOf(counter, LIMIT)).toBe(LIMIT);

    const flushing = counter.flush(); // the six hits are on their way to Redis, which has not answered yet
    expect(redis.addHits).toHaveBeenCalledTimes(1);
    expect(allowedOf(counter, 20)).toBe(0);

    redis.answerAll();
    await flushing;
    expect(allowedOf(counter, 5)).toBe(0);
    // Everything this process saw reached Redis once the pending hits are flushed too.
    const second = counter.flush();
    redis.answerAll();
    await second;
    expect(redis.addHits.mock.calls.reduce((sum, [, hits]) => sum + hits, 0)).toBe(LIMIT + 25);
  });

  it("over many interleavings of hits and flushes, exactly the limit is admitted", async () => {
    for (let trial = 0; trial < 60; trial++) {
      const redis = controlledRedis();
      const counter = new BatchedRateCounter(redis.addHits);
      const flushes: Promise<void>[] = [];
      let admitted = 0;
      for (let hit = 0; hit < 12; hit++) {
        if (counter.hit(`ip:trial-${trial}`, LIMIT, WINDOW_MS, NOW).allowed) admitted += 1;
        // A flush starts after some hits and Redis answers some of them later, in a different pattern each trial.
        if ((hit + trial) % 3 === 0) flushes.push(counter.flush());
        if ((hit * trial) % 4 === 1) redis.answerAll();
      }
      redis.answerAll();
      await Promise.all(flushes);
      expect(admitted, `trial ${trial}`).toBe(LIMIT);
    }
  });

  it("when Redis cannot be reached, the hits this process saw keep limiting", async () => {
    const counter = new BatchedRateCounter(() => Promise.reject(new Error("connection refused")));
    expect(allowedOf(counter, 4)).toBe(4);
    await counter.flush();
    expect(allowedOf(counter, 4)).toBe(2);
  });
});
