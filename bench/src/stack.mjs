// @ts-check
/** Starts what the benchmark measures: Redis, the API in production mode, and the three baselines. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { makeApiKey, startApi, startRedis, stopChild, waitForOutput } from "@kubbi/test-utils";

const HIGH = "1000000000";

/** Production settings with the throttles raised so they never limit the load (they still run). */
export function apiEnv(apiKeys, extra = {}) {
  return {
    KUBBI_API_KEYS: apiKeys.join(","),
    KUBBI_RATE_LIMIT_PER_MINUTE: HIGH,
    KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: HIGH,
    KUBBI_MAX_ACTIVE_KUBBIS: HIGH,
    LOG_LEVEL: "info",
    ...extra,
  };
}

/** Our own redis-server, or the one at REDIS_URL; plus a client for INFO and seeding. */
export async function openRedis() {
  const own = process.env.REDIS_URL ? undefined : await startRedis();
  const url = process.env.REDIS_URL ?? own?.url ?? "";
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
  const info = async (section) => Object.fromEntries((await client.info(section)).split("\r\n").filter((line) => line.includes(":")).map((line) => line.split(":", 2)));
  return {
    url,
    client,
    info,
    version: (await info("server")).redis_version,
    cpuSeconds: async () => {
      const cpu = await info("cpu");
      return Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
    },
    usedMemory: async () => Number((await info("memory")).used_memory),
    async stop() {
      client.disconnect();
      await own?.stop();
    },
  };
}

/**
 * The API takes three producer keys: one for the request scenarios, one per list size, so each
 * list scenario reads a key holding exactly its number of kubbis.
 */
export async function startBenchApi(redisUrl, extraEnv = {}) {
  const keys = { main: makeApiKey(), listSmall: makeApiKey(), listLarge: makeApiKey() };
  const api = await startApi({ redisUrl, apiKey: keys.main, env: apiEnv(Object.values(keys), extraEnv) });
  keepOutputTail(api.child);
  return { ...api, keys, pid: api.child.pid ?? 0 };
}

/**
 * A request log line per request is the production behaviour, but test-utils keeps all output in
 * memory, which would grow the orchestrator by hundreds of MB; keep only the tail, for diagnostics.
 */
function keepOutputTail(child, keepBytes = 16 * 1024) {
  let tail = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.removeAllListeners("data");
    stream?.on("data", (chunk) => (tail = (tail + chunk.toString("utf8")).slice(-keepBytes)));
  }
  child.outputTail = () => tail;
}

const BASELINES = {
  limit: "./baselines/limit.mjs",
  floor: "./baselines/floor.mjs",
  transfer: "./baselines/transfer.mjs",
};

/** Starts one baseline server as its own process (so its CPU is measured like the API's). */
export async function startBaseline(name, env) {
  const entry = fileURLToPath(new URL(BASELINES[name], import.meta.url));
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const match = await waitForOutput(child, /"msg":"listening on (http:\/\/[^"]+)"/, `baseline ${name}`);
  return { name, baseUrl: match[1], pid: child.pid ?? 0, stop: () => stopChild(child) };
}
