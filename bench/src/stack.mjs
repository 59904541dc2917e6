// @ts-check
/** Starts what the benchmark measures: Redis, the API in production mode, and the three baselines. */
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeApiKey, startApi, startRedis, stopChild, waitForOutput } from "@kubbi/test-utils";
import { openRedis as openSharedRedis, redisSettingsFromEnv } from "@kubbi/api/dist/store/redis-connection.js";
import { hashApiKey } from "@kubbi/api/dist/crypto/tokens.js";

const HIGH = "1000000000";

/** Production settings with the throttles raised so they never limit the load (they still run). */
export function apiEnv(apiKeys, extra = {}) {
  return {
    KUBBI_API_KEYS: apiKeys.join(","),
    KUBBI_RATE_LIMIT_PER_MINUTE: HIGH,
    KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: HIGH,
    KUBBI_MAX_ACTIVE_KUBBIS: HIGH,
    LOG_LEVEL: "info",
    // The webhook scenarios' receiver is on 127.0.0.1 over plain http: the operator's allowance for that.
    KUBBI_WEBHOOK_ALLOW_PRIVATE: "true",
    // The worker takes at most 100 events of an endpoint per tick: at the default 500 ms that is 200 a
    // second, far below the bench's rate. At the shortest tick it delivers during the run, at full speed.
    KUBBI_WEBHOOK_POLL_MS: process.env.BENCH_WEBHOOK_POLL_MS ?? "50",
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
    persistence: await persistenceOf(client),
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

/** The append-only settings the run measured under (production runs appendonly yes, appendfsync everysec). */
async function persistenceOf(client) {
  try {
    const [, appendonly] = /** @type {string[]} */ (await client.config("GET", "appendonly"));
    const [, appendfsync] = /** @type {string[]} */ (await client.config("GET", "appendfsync"));
    return `appendonly ${appendonly}, appendfsync ${appendfsync}`;
  } catch {
    return "unknown (CONFIG GET refused)";
  }
}

/** Package creates run this many at a time, one key per connection (see startBenchApi). */
export const PACKAGE_KEYS = 4;

/**
 * The API takes producer keys from the environment: one for the request scenarios, one per list size,
 * so each list scenario reads a key holding exactly its number of kubbis, one for the Redis cost
 * measurement, one with a webhook endpoint (set by the orchestrator), and one per package connection
 * (each key reads one large body at a time, so packages on one key would queue behind each other and
 * measure the per-key rule rather than the transfer).
 */
export async function startBenchApi(redisUrl, extraEnv = {}) {
  const keys = {
    main: makeApiKey(),
    webhook: makeApiKey(),
    listSmall: makeApiKey(),
    listLarge: makeApiKey(),
    costs: makeApiKey(),
  };
  const packageKeys = Array.from({ length: PACKAGE_KEYS }, makeApiKey);
  const api = await startApi({
    redisUrl,
    apiKey: keys.main,
    env: apiEnv([...Object.values(keys), ...packageKeys], { ...connectionEnv(), ...extraEnv }),
  });
  keepOutputTail(api.child);
  return { ...api, keys: { ...keys, packageKeys }, pid: api.child.pid ?? 0 };
}

/** The owner id of a key from KUBBI_API_KEYS: env_<first 16 hex of its hash> (apps/api/src/auth/api-keys.ts). */
export const environmentKeyId = (apiKey) => `env_${hashApiKey(apiKey).slice(0, 16)}`;

const ADMIN = fileURLToPath(import.meta.resolve("@kubbi/api/dist/admin/kubbi-admin.js"));

/**
 * A producer key made as operators make them: `kubbi-admin keys create`, stored in Redis (as its
 * hash), so every request with it goes through the API's stored-key lookup, not the environment's.
 */
export async function createStoredKey(redisUrl, name) {
  const { stdout } = await promisify(execFile)(process.execPath, [ADMIN, "keys", "create", "--name", name], {
    env: { PATH: process.env.PATH ?? "", REDIS_URL: redisUrl, ...connectionEnv() },
  });
  return stdout.trim();
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
