import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { z } from "zod";

/** How to reach Redis: one server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES), read by the API, the admin command and the bench alike. */
export interface RedisSettings {
  url: string | undefined;
  /** Seed nodes "host:port"; set means Redis Cluster. */
  clusterNodes: Array<{ host: string; port: number }>;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** A data command that has not answered in this time fails (and the route answers 503). */
  commandTimeoutMs: number;
  /** Replicas that must have a write before it is acknowledged (Redis WAIT; replica-wait.ts says which writes). */
  waitReplicas: number;
  waitTimeoutMs: number;
}

const intFromEnv = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const hostPort = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, "must be host:port")
  .transform((value) => ({
    host: value.slice(0, value.lastIndexOf(":")),
    port: Number(value.slice(value.lastIndexOf(":") + 1)),
  }));

export const redisEnvSchema = z.object({
  REDIS_URL: z.string().url().optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((node) => node.trim())
        .filter(Boolean),
    )
    .pipe(z.array(hostPort)),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS: z.enum(["true", "false"]).default("false"),
  KUBBI_REDIS_COMMAND_TIMEOUT_MS: intFromEnv(1000, 50),
  KUBBI_REDIS_WAIT_REPLICAS: intFromEnv(0, 0),
  KUBBI_REDIS_WAIT_TIMEOUT_MS: intFromEnv(1000, 1),
});

export function redisSettingsFrom(env: z.output<typeof redisEnvSchema>): RedisSettings {
  return {
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    tls: env.REDIS_TLS === "true" || env.REDIS_URL?.startsWith("rediss://") === true,
    commandTimeoutMs: env.KUBBI_REDIS_COMMAND_TIMEOUT_MS,
    waitReplicas: env.KUBBI_REDIS_WAIT_REPLICAS,
    waitTimeoutMs: env.KUBBI_REDIS_WAIT_TIMEOUT_MS,
  };
}

/** For the admin command and tools: the Redis settings alone, without the API's production checks. */
export function redisSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RedisSettings {
  const parsed = redisEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid Redis settings: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
    );
  return redisSettingsFrom(parsed.data);
}

export const hasRedis = (settings: RedisSettings) => settings.url !== undefined || settings.clusterNodes.length > 0;

export type RedisClient = Redis | Cluster;

/**
 * Opens the one connection (or cluster client) the store uses. Commands fail fast instead of queueing
 * through an outage: one retry, and no offline queue once the first connection is made, so a data route
 * answers 503 at once on a lost connection; the store bounds every call by commandTimeoutMs (plus time
 * for the payload it moves), so a hung Redis is a 503 too.
 */
export function openRedis(settings: RedisSettings, onConnectionError: (error: Error) => void = () => {}): RedisClient {
  const options: RedisOptions = {
    username: settings.username,
    password: settings.password,
    ...(settings.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(settings.commandTimeoutMs, 2000),
    // Reconnect quickly and keep trying: the outage ends when Redis is back, not when we give up.
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
  };
  let client: RedisClient;
  if (settings.clusterNodes.length > 0) {
    const clusterOptions: ClusterOptions = {
      redisOptions: options,
      // Offline queue on so the first commands wait for the slot map; the store still bounds each call.
      enableOfflineQueue: true,
      maxRedirections: 8,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: Math.max(settings.commandTimeoutMs, 1000),
      clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
      ...(settings.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    };
    client = new Cluster(settings.clusterNodes, clusterOptions);
  } else {
    client = new Redis(settings.url!, { ...options, enableOfflineQueue: true });
    // Once connected, commands during an outage fail at once rather than waiting in a queue.
    client.once("ready", () => ((client as Redis).options.enableOfflineQueue = false));
  }
  client.on("error", onConnectionError);
  return client;
}

/** The masters that hold data: every master of a cluster, or the one server. */
export function masters(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes("master") : [client];
}

/**
 * The masters serving the cluster's slots, by the last slot map: throws when one of them is not
 * connected (a master that just died leaves the pool at once, before the cluster fails it over).
 */
export function slotMasters(client: RedisClient): Redis[] {
  if (!(client instanceof Cluster)) return [client];
  if (client.status !== "ready") throw new Error("Cluster isn't ready");
  const connected = new Map(client.nodes("master").map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const owners = new Set(client.slots.map((nodes) => nodes[0]).filter((owner): owner is string => owner !== undefined));
  return [...owners].map((owner) => {
    const node = connected.get(owner);
    if (!node) throw new Error(`Connection is closed: the master ${owner} serving part of the slots is not connected`);
    return node;
  });
}

const timedOut = (reject: (error: Error) => void) => reject(new Error("Command timed out"));

/**
 * Fails a Redis call that has not answered within ms ("Command timed out", a 503); the command may still
 * complete. One promise and one timer per call (no race, no finally): it runs on every store call.
 */
export function withDeadline<T>(pending: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(timedOut, ms, reject);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
