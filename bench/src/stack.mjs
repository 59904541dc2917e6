// @ts-check
/** Starts what the benchmark measures: Redis, the API in production mode, and the three baselines. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { makeApiKey, startApi, startRedis, stopChild, waitForOutput } from "@kubbi/test-utils";
import { openRedis as openSharedRedis, redisSettingsFromEnv } from "@kubbi/api/dist/store/redis-connection.js";

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

/** The connection settings the API and its admin command read (REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS), passed on to the API. */
const CONNECTION_ENV = ["REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS"];
export const connectionEnv = () =>
  Object.fromEntries(CONNECTION_ENV.filter((name) => process.env[name]).map((name) => [name, process.env[name]]));

/**
 * Our own redis-server, or the one at REDIS_URL (with the same credential and TLS settings as the API);
 * plus a client for INFO and seeding. The bench measures one Redis shard: its CPU and memory per
 * operation are what docs/capacity.md multiplies out to a cluster.
 */
export async function openRedis() {
  const settings = redisSettingsFromEnv();
  if (settings.clusterNodes.length > 0) {
    throw new Error(
      "the bench measures one Redis shard: point REDIS_URL at one server (a cluster's capacity is the per-shard figure times its masters, see docs/capacity.md)",
    );
  }
  const own = settings.url ? undefined : await startRedis();
  const url = settings.url ?? own?.url ?? "";
  const client = /** @type {Redis} */ (openSharedRedis({ ...settings, url, commandTimeoutMs: 30_000 }));
  const info = async (section) =>
    Object.fromEntries(
      (await client.info(section))
        .split("\r\n")
        .filter((line) => line.includes(":"))
        .map((line) => line.split(":", 2)),
    );
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
 * The API takes four producer keys: one for the request scenarios, one per list size, so each
 * list scenario reads a key holding exactly its number of kubbis, and one for the Redis cost measurement.
 */
export async function startBenchApi(redisUrl, extraEnv = {}) {
  const keys = { main: makeApiKey(), listSmall: makeApiKey(), listLarge: makeApiKey(), costs: makeApiKey() };
  const api = await startApi({
    redisUrl,
    apiKey: keys.main,
    env: apiEnv(Object.values(keys), { ...connectionEnv(), ...extraEnv }),
  });
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
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = await waitForOutput(child, /"msg":"listening on (http:\/\/[^"]+)"/, `baseline ${name}`);
  return { name, baseUrl: match[1], pid: child.pid ?? 0, stop: () => stopChild(child) };
}
