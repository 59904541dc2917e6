import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/trust-proxy.js";
import { productionProblems } from "./production-readiness.js";
import { redisEnvSchema, redisSettingsFrom, type RedisSettings } from "./store/redis-connection.js";

const MIB = 1024 * 1024;

const intFromEnv = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const envSchema = z.object({
  KUBBI_MODE: z.enum(["production", "development"]).optional(),
  PORT: intFromEnv(3000),
  HOST: z.string().min(1).optional(),
  ...redisEnvSchema.shape,
  KUBBI_ALLOW_NON_DURABLE_REDIS: z.enum(["true", "false"]).default("false"),
  KUBBI_ALLOW_MEMORY_STORE: z.enum(["true", "false"]).default("false"),
  KUBBI_PUBLIC_URL: z
    .string()
    .url()
    .refine(
      (value) =>
        /^https?:$/.test(new URL(value).protocol) &&
        new URL(value).pathname.replace(/\/+$/, "") === "" &&
        !new URL(value).search,
      {
        message: "must be an http(s) origin with no path (claim URLs are <origin>/r/<token>)",
      },
    )
    .optional(),
  KUBBI_KEYS: z.string().optional(),
  KUBBI_API_KEYS: z.string().optional(),
  KUBBI_KEY_ROTATION_SECONDS: intFromEnv(86_400, 60),
  KUBBI_MIN_TTL_SECONDS: intFromEnv(60, 1),
  KUBBI_MAX_TTL_SECONDS: intFromEnv(86_400, 1),
  KUBBI_TOMBSTONE_RETENTION_SECONDS: intFromEnv(7 * 86_400, 0),
  KUBBI_IDEMPOTENCY_TTL_SECONDS: intFromEnv(86_400, 1),
  KUBBI_INDEX_SWEEP_SECONDS: intFromEnv(60, 1),
  KUBBI_EVENT_RETENTION_SECONDS: z.coerce.number().int().min(1).optional(),
  KUBBI_EXPIRY_CHECK_MS: intFromEnv(1_000, 100),
  KUBBI_AUDIT_LOG: z.string().min(1).optional(),
  KUBBI_API_KEY_CACHE_SECONDS: intFromEnv(5, 0),
  KUBBI_MAX_FILES: intFromEnv(5, 1),
  KUBBI_MAX_KUBBI_BYTES: intFromEnv(10 * MIB, 1),
  KUBBI_MAX_ACTIVE_KUBBIS: intFromEnv(10_000, 1),
  KUBBI_RATE_LIMIT_PER_MINUTE: intFromEnv(600, 1),
  KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: intFromEnv(300, 1),
  KUBBI_TRUST_PROXY: z.string().optional(),
  KUBBI_SHUTDOWN_GRACE_MS: intFromEnv(10_000, 0),
  KUBBI_MAX_CONCURRENT_LARGE_BODIES: intFromEnv(2, 1),
  KUBBI_MAX_CONCURRENT_LARGE_RESPONSES: intFromEnv(4, 1),
  KUBBI_BODY_TIMEOUT_MS: intFromEnv(120_000, 100),
  KUBBI_BODY_MIN_BYTES_PER_SECOND: intFromEnv(8 * 1024, 0),
  // Node refuses a headers timeout above its request timeout (300 s).
  KUBBI_HEADERS_TIMEOUT_MS: intFromEnv(10_000, 100).pipe(z.number().max(300_000)),
  KUBBI_KEEP_ALIVE_TIMEOUT_MS: intFromEnv(5_000, 100),
  KUBBI_WRITE_TIMEOUT_MS: intFromEnv(30_000, 100),
  KUBBI_MAX_CONNECTIONS: intFromEnv(1_000, 1),
  KUBBI_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  KUBBI_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. $(openssl rand -hex 24))").optional(),
  KUBBI_WEBHOOK_RETRY_SECONDS: intFromEnv(86_400, 1),
  KUBBI_WEBHOOK_TIMEOUT_MS: intFromEnv(5_000, 100),
  KUBBI_WEBHOOK_MAX_IN_FLIGHT: intFromEnv(4, 1),
  KUBBI_WEBHOOK_ALLOW_PRIVATE: z.enum(["true", "false"]).default("false"),
  KUBBI_WEBHOOK_POLL_MS: intFromEnv(500, 50),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Mode = "production" | "development";

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  /** One Redis server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES); neither means the in-process store. */
  redis: RedisSettings;
  /** Production starts on a Redis without the append-only file only when the operator says so. */
  allowNonDurableRedis: boolean;
  /** Production runs on the in-process store only when the operator says so (KUBBI_ALLOW_MEMORY_STORE). */
  allowMemoryStore: boolean;
  /** Origin used to build claim URLs; undefined means http://localhost:<bound port>. */
  publicUrl: string | undefined;
  serverKeys: string | undefined;
  envApiKeys: string[];
  keyRotationSeconds: number;
  minTtlSeconds: number;
  maxTtlSeconds: number;
  tombstoneRetentionSeconds: number;
  idempotencyTtlSeconds: number;
  /** How often every known owner's index is swept of entries past their purge time. */
  indexSweepSeconds: number;
  /** How long events are kept (default: the tombstone retention). */
  eventRetentionSeconds: number;
  /** How often the expiry scheduler looks for kubbis past their TTL (kubbi.expired). */
  expiryCheckMs: number;
  /** Every event this process writes, one JSON line each: "stdout" or a file path (appended to). */
  auditLog: string | undefined;
  /** How long a process trusts a stored API key's lookup without news from Redis: the revocation bound. */
  apiKeyCacheSeconds: number;
  defaultPlan: Plan;
  consumerRatePerMinute: number;
  trustProxy: TrustProxy | undefined;
  shutdownGraceMs: number;
  /** How many request bodies over 1 MiB are read and processed at once (memory bound under load). */
  maxConcurrentLargeBodies: number;
  /** How many claim responses over 1 MiB are built and written at once. */
  maxConcurrentLargeResponses: number;
  /** Time allowed to read a request body, not counting time queued for a large-body slot. */
  bodyTimeoutMs: number;
  /** A body arriving slower than this on average (after a short grace) is cut off; 0 turns it off. */
  bodyMinBytesPerSecond: number;
  /** Time allowed for a connection to send complete request headers (also the first byte). */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** A client that takes no response bytes for this long is disconnected. */
  writeTimeoutMs: number;
  /** Open connections beyond this are refused at accept. */
  maxConnections: number;
  /** Prometheus metrics on a port of their own (any token still applies there). */
  metricsPort: number | undefined;
  /** Bearer token for the metrics; without a metrics port they are served at /metrics on the API port. */
  metricsToken: string | undefined;
  /** Webhook delivery (docs/webhooks.md). */
  webhooks: WebhookConfig;
  logLevel: string;
}

export interface WebhookConfig {
  /** A delivery is retried (capped exponential backoff with jitter) until this long after its event, then given up. */
  retrySeconds: number;
  /** Each attempt, connect to last response byte. */
  timeoutMs: number;
  /** Attempts under way at once per endpoint. */
  maxInFlight: number;
  /** Endpoints may be plain http and on loopback, private, link-local or metadata addresses. */
  allowPrivate: boolean;
  /** How often the worker reads the endpoint registry, renews its leases and reads new events. */
  pollMs: number;
}

/** Per-key limits; a key may carry its own, else these defaults apply. */
export interface Plan {
  maxFiles: number;
  maxKubbiBytes: number;
  maxActiveKubbis: number;
  ratePerMinute: number;
}

export class ConfigError extends Error {}

/**
 * Parses the environment once; `--dev` on the command line selects development mode. In production it
 * refuses a configuration that cannot work, naming what to set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const mode = e.KUBBI_MODE ?? (argv.includes("--dev") ? "development" : "production");
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError(
      "invalid configuration: set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster), not both",
    );
  }
  if (e.KUBBI_MIN_TTL_SECONDS > e.KUBBI_MAX_TTL_SECONDS) {
    throw new ConfigError("invalid configuration: KUBBI_MIN_TTL_SECONDS exceeds KUBBI_MAX_TTL_SECONDS");
  }
  if (e.KUBBI_METRICS_PORT !== undefined && e.KUBBI_METRICS_PORT === e.PORT) {
    throw new ConfigError(
      "invalid configuration: KUBBI_METRICS_PORT must differ from PORT (or leave it unset and set KUBBI_METRICS_TOKEN to serve /metrics on PORT)",
    );
  }
  const config: Config = {
    mode,
    port: e.PORT,
    // A development server with a printed key listens on loopback only unless told otherwise.
    host: e.HOST ?? (mode === "development" ? "127.0.0.1" : "0.0.0.0"),
    redis: redisSettingsFrom(e),
    allowNonDurableRedis: e.KUBBI_ALLOW_NON_DURABLE_REDIS === "true",
    allowMemoryStore: e.KUBBI_ALLOW_MEMORY_STORE === "true",
    publicUrl: e.KUBBI_PUBLIC_URL?.replace(/\/+$/, ""),
    serverKeys: e.KUBBI_KEYS,
    envApiKeys: (e.KUBBI_API_KEYS ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean),
    keyRotationSeconds: e.KUBBI_KEY_ROTATION_SECONDS,
    minTtlSeconds: e.KUBBI_MIN_TTL_SECONDS,
    maxTtlSeconds: e.KUBBI_MAX_TTL_SECONDS,
    tombstoneRetentionSeconds: e.KUBBI_TOMBSTONE_RETENTION_SECONDS,
    idempotencyTtlSeconds: e.KUBBI_IDEMPOTENCY_TTL_SECONDS,
    indexSweepSeconds: e.KUBBI_INDEX_SWEEP_SECONDS,
    eventRetentionSeconds: e.KUBBI_EVENT_RETENTION_SECONDS ?? e.KUBBI_TOMBSTONE_RETENTION_SECONDS,
    expiryCheckMs: e.KUBBI_EXPIRY_CHECK_MS,
    auditLog: e.KUBBI_AUDIT_LOG,
    apiKeyCacheSeconds: e.KUBBI_API_KEY_CACHE_SECONDS,
    defaultPlan: {
      maxFiles: e.KUBBI_MAX_FILES,
      maxKubbiBytes: e.KUBBI_MAX_KUBBI_BYTES,
      maxActiveKubbis: e.KUBBI_MAX_ACTIVE_KUBBIS,
      ratePerMinute: e.KUBBI_RATE_LIMIT_PER_MINUTE,
    },
    consumerRatePerMinute: e.KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE,
    trustProxy: e.KUBBI_TRUST_PROXY === undefined ? undefined : trustProxyFrom(e.KUBBI_TRUST_PROXY),
    shutdownGraceMs: e.KUBBI_SHUTDOWN_GRACE_MS,
    maxConcurrentLargeBodies: e.KUBBI_MAX_CONCURRENT_LARGE_BODIES,
    maxConcurrentLargeResponses: e.KUBBI_MAX_CONCURRENT_LARGE_RESPONSES,
    bodyTimeoutMs: e.KUBBI_BODY_TIMEOUT_MS,
    bodyMinBytesPerSecond: e.KUBBI_BODY_MIN_BYTES_PER_SECOND,
    headersTimeoutMs: e.KUBBI_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KUBBI_KEEP_ALIVE_TIMEOUT_MS,
    writeTimeoutMs: e.KUBBI_WRITE_TIMEOUT_MS,
    maxConnections: e.KUBBI_MAX_CONNECTIONS,
    metricsPort: e.KUBBI_METRICS_PORT,
    metricsToken: e.KUBBI_METRICS_TOKEN,
    webhooks: {
      retrySeconds: e.KUBBI_WEBHOOK_RETRY_SECONDS,
      timeoutMs: e.KUBBI_WEBHOOK_TIMEOUT_MS,
      maxInFlight: e.KUBBI_WEBHOOK_MAX_IN_FLIGHT,
      allowPrivate: e.KUBBI_WEBHOOK_ALLOW_PRIVATE === "true",
      pollMs: e.KUBBI_WEBHOOK_POLL_MS,
    },
    logLevel: e.LOG_LEVEL,
  };
  const problems = mode === "production" ? productionProblems(config) : [];
  if (problems.length > 0) {
    throw new ConfigError(
      `production mode cannot start:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\n(to try kubbi on this machine, \`pnpm start\` runs in development mode)`,
    );
  }
  return config;
}

function trustProxyFrom(value: string): TrustProxy {
  try {
    return parseTrustProxy(value);
  } catch (error) {
    throw new ConfigError(`invalid configuration: KUBBI_TRUST_PROXY: ${(error as Error).message}`);
  }
}
