// @ts-check
/**
 * CPU and memory of processes read from /proc (Linux), so a run starved by other load is visible.
 * Times are in seconds of CPU; 1.0 s per wall second is one core fully busy.
 */
import { readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture node runs on

/** User plus system CPU seconds a process has used so far, or NaN once it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces, so count fields from its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return (userTicks + systemTicks) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Whole-machine CPU from /proc/stat: busy and total seconds summed over all cores. */
export function hostCpuSeconds() {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0); // guest time is already in user
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

/** Resident set size and its high-water mark, in bytes. */
export function processMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? Number.NaN) * 1024;
  return { rss: kib("VmRSS"), peakRss: kib("VmHWM") };
}

/**
 * Waits until the whole machine is nearly idle (busy below `maxBusyCores` over a `windowMs` window),
 * for at most `timeoutMs`. Between runs our own servers are idle, so what is busy is someone else.
 * Resolves to the busy cores of the last window, so a run that could not wait is on record.
 */
export async function waitForQuiet({ maxBusyCores = 0.3, windowMs = 500, timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = hostCpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = hostCpuSeconds();
    const busyCores = (after.busy - before.busy) / (windowMs / 1000);
    if (busyCores <= maxBusyCores || Date.now() >= deadline) return busyCores;
  }
}
