// @ts-check
/** Peak RSS of a fresh API process while several large package creates are in flight at once. */
import { runLoad } from "./load/run-load.mjs";
import { MIB, packageBody } from "./payloads.mjs";
import { processMemory } from "./proc.mjs";
import { startBenchApi } from "./stack.mjs";

const CONCURRENT_CREATES = 8;
const FILE_BYTES = 2 * MIB; // 5 files: a 10 MiB package, the default plan's largest

/** A fresh process, so its high-water mark (VmHWM) covers this scenario and nothing before it. */
export async function measurePeakRss(redis, rounds) {
  const api = await startBenchApi(redis.url);
  try {
    const idleRss = processMemory(api.pid).rss;
    const { body, payloadBytes } = packageBody(FILE_BYTES, { maxRetrievals: 1, ttlSeconds: 60 });
    let polledPeak = idleRss;
    const poller = setInterval(() => (polledPeak = Math.max(polledPeak, processMemory(api.pid).rss)), 10);
    const result = await runLoad(
      {
        url: api.baseUrl,
        connections: CONCURRENT_CREATES,
        amount: CONCURRENT_CREATES * rounds,
        workload: {
          kind: "fixed",
          method: "POST",
          path: "/api/v1/kubbis",
          headers: { authorization: `Bearer ${api.keys.main}`, "content-type": "application/json" },
          body,
        },
      },
      { serverPid: api.pid, redisCpuSeconds: redis.cpuSeconds },
    );
    clearInterval(poller);
    const created = result.statusCodes["201"]?.count ?? 0;
    if (created !== CONCURRENT_CREATES * rounds)
      throw new Error(
        `RSS scenario created ${created} of ${CONCURRENT_CREATES * rounds}: ${JSON.stringify(result.statusCodes)}`,
      );
    const { peakRss } = processMemory(api.pid);
    return {
      concurrent: CONCURRENT_CREATES,
      rounds,
      payloadBytesPerCreate: payloadBytes,
      requestBodyBytes: Buffer.byteLength(body),
      inFlightPayloadBytes: CONCURRENT_CREATES * payloadBytes,
      idleRss,
      peakRss: Math.max(peakRss, polledPeak),
      createLatencyMs: result.latency,
    };
  } finally {
    await api.stop();
  }
}
