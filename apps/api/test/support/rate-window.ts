import { setTimeout as sleep } from "node:timers/promises";

/**
 * Rate limits count in fixed one-minute windows. A test that counts up to a limit first waits out
 * the current window when little of it is left, so a window change in the middle cannot reset its count.
 */
export async function freshRateWindow(neededMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < neededMs) await sleep(left + 50);
}
