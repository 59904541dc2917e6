import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { startRedis, stopChild, waitForOutput } from "./redis.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The built API entry point (apps/api must be built first; turbo's test task depends on build). */
export const API_ENTRY = resolve(here, "../../../apps/api/dist/main.js");

export interface ApiProcess {
  /** Origin the API listens on, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** A producer API key the process accepts (from KUBBI_API_KEYS). */
  apiKey: string;
  /** A second, unrelated producer key, for tests of isolation between keys. */
  secondApiKey: string;
  /** The server key ring the process was started with (pass it on to start a sibling process). */
  serverKeys: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  child: ChildProcess;
}

export interface StartApiOptions {
  /** Redis URL; omit (and redisClusterNodes) for the in-process store. */
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES). */
  redisClusterNodes?: string;
  /** Extra environment for the API process (wins over the defaults below). */
  env?: Record<string, string>;
  /** Reuse a key ring (for several processes on one Redis). */
  serverKeys?: string;
  apiKey?: string;
}

export function makeApiKey(): string {
  return `kb_${randomBytes(32).toString("base64url")}`;
}

export function makeServerKeys(id = "k1"): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

/** Starts the built API as a child process on a free port, in production mode with real keys. */
export async function startApi(options: StartApiOptions = {}): Promise<ApiProcess> {
  const apiKey = options.apiKey ?? makeApiKey();
  const secondApiKey = makeApiKey();
  const serverKeys = options.serverKeys ?? makeServerKeys();
  // A fixed port lets claim URLs name the same origin the tests talk to.
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    KUBBI_MODE: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    KUBBI_PUBLIC_URL: `http://127.0.0.1:${port}`,
    KUBBI_KEYS: serverKeys,
    KUBBI_API_KEYS: `${apiKey},${secondApiKey}`,
    KUBBI_MIN_TTL_SECONDS: "1",
    LOG_LEVEL: "info",
    // Production refuses the in-process store unless it is asked for explicitly.
    ...(options.redisUrl
      ? { REDIS_URL: options.redisUrl }
      : options.redisClusterNodes
        ? { REDIS_CLUSTER_NODES: options.redisClusterNodes }
        : { KUBBI_ALLOW_MEMORY_STORE: "true" }),
    ...options.env,
  };
  const child = spawn(process.execPath, [API_ENTRY], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const match = await waitForOutput(child, /"msg":"listening on (http:\/\/[^"]+)"/, "kubbi API");
  const baseUrl = match[1]!;
  return {
    baseUrl,
    apiKey,
    secondApiKey,
    serverKeys,
    output: () => output,
    stop: (signal) => stopChild(child, signal),
    child,
  };
}

export interface LiveStack {
  baseUrl: string;
  apiKey: string;
  secondApiKey: string;
}

/**
 * A redis-server and the built API for a whole test run (a vitest globalSetup): hands their address
 * and key to `provide`, and returns the teardown.
 */
export async function startLiveStack(provide: (stack: LiveStack) => void): Promise<() => Promise<void>> {
  const redis = await startRedis();
  const api = await startApi({ redisUrl: redis.url }).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  provide({ baseUrl: api.baseUrl, apiKey: api.apiKey, secondApiKey: api.secondApiKey });
  return async () => {
    await api.stop();
    await redis.stop();
  };
}
