import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { followApiKeyChanges, type ApiKeyChangeFeed } from "./auth/api-key-changes.js";
import { ApiKeyRegistry, NO_API_KEY_CACHE } from "./auth/api-keys.js";
import type { Config } from "./config.js";
import { KeyRing } from "./crypto/keyring.js";
import { KubbiSealer } from "./crypto/kubbi-sealer.js";
import { newApiKey } from "./crypto/tokens.js";
import { openAuditLog } from "./events/audit-log.js";
import { startPeriodic } from "./jobs/periodic.js";
import { Drain } from "./http/draining.js";
import type { ServiceContext } from "./services/context.js";
import { instrumentRedisStore } from "./metrics/instrumented-store.js";
import { startMetricsServer } from "./metrics/exposure.js";
import { Metrics } from "./metrics/metrics.js";
import { StartupError } from "./startup-error.js";
import { MemoryStore } from "./store/memory.js";
import { RedisStore } from "./store/redis.js";
import { hasRedis, openRedis } from "./store/redis-connection.js";
import { checkRedisDeployment } from "./store/redis-preflight.js";
import { MemoryRequestStore } from "./store/requests/memory-request-store.js";
import { RedisRequestStore } from "./store/requests/redis-request-store.js";
import type { RequestStore } from "./store/requests/request-store.js";
import type { KubbiStore, PeriodicJob } from "./store/store.js";
import { eventJson } from "./events/codec.js";
import { MemoryWebhookStore } from "./webhooks/memory-webhook-store.js";
import { RedisWebhookStore } from "./webhooks/redis-webhook-store.js";
import type { WebhookStore } from "./webhooks/webhook-store.js";
import { WebhookWorker } from "./webhooks/worker.js";
import { errorFields } from "./logger.js";

export { StartupError };

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops taking connections, closes idle ones, gives requests in flight the grace period (then a 503), then closes storage. */
  shutdown(): Promise<void>;
}

/** How often Node looks for connections past their headers timeout (its default is 30 s). */
const CONNECTION_CHECK_INTERVAL_MS = 1_000;
/** After the grace limit, how long the 503s to unanswered requests get to go out before connections close. */
const CUT_OFF_LINGER_MS = 1_000;
/** Stored API keys an operator makes: far more than any deployment has, so every one stays cached. */
const MAX_CACHED_KNOWN_KEYS = 10_000;
/** Lookups of keys nobody made: enough to absorb clients retrying with a revoked key, too few to matter in memory. */
const MAX_CACHED_UNKNOWN_KEYS = 1_000;

/** Process wiring: keys, store, app, listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const keyRing = loadKeyRing(config, logger);
  const metrics = new Metrics(config.metricsPort !== undefined || config.metricsToken !== undefined);
  const onConnectionError = (error: Error) => {
    metrics.redisConnectionError();
    logger.error({ err: errorFields(error) }, "redis connection error");
  };
  const auditLog =
    config.auditLog === undefined
      ? undefined
      : openAuditLog(config.auditLog, (error) =>
          logger.error({ err: errorFields(error) }, "the audit log cannot be written"),
        );
  const events = {
    eventRetentionMs: config.eventRetentionSeconds * 1000,
    onEvents: auditLog?.sink,
  };
  let store: KubbiStore;
  let requests: RequestStore;
  let redis: ReturnType<typeof openRedis> | undefined;
  let webhooks: WebhookStore;
  if (!hasRedis(config.redis)) {
    store = new MemoryStore(events);
    requests = new MemoryRequestStore();
    // The in-process queue reads this process's event log, as the Redis one reads the streams.
    const eventLog = store;
    webhooks = new MemoryWebhookStore(async (ownerId, afterId, limit) =>
      (await eventLog.readOwnerEvents(ownerId, afterId, limit)).events.map(eventJson),
    );
    logger.warn("no REDIS_URL: using the in-process store (data lives in this process only and is lost on restart)");
  } else {
    redis = openRedis(config.redis, onConnectionError);
    try {
      await checkRedisDeployment(
        redis,
        { production: config.mode === "production", allowNonDurable: config.allowNonDurableRedis },
        logger,
      );
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    const redisStore = new RedisStore(redis, {
      waitReplicas: config.redis.waitReplicas,
      waitTimeoutMs: config.redis.waitTimeoutMs,
      retentionMs: config.tombstoneRetentionSeconds * 1000,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      // The default plan's limit: a key with a larger plan override reads its largest payloads under a tighter bound.
      largestPayloadBytes: config.defaultPlan.maxKubbiBytes,
      ...events,
      onEventLost: (error) =>
        logger.error(
          { err: errorFields(error) },
          "an event could not be appended after its state change (Redis Cluster); it is lost",
        ),
    });
    store = metrics.recording ? instrumentRedisStore(redisStore, metrics) : redisStore;
    // Requests share the kubbi store's connection (and its cluster client); the kubbi store closes it.
    requests = new RedisRequestStore(redis, config.redis);
    webhooks = new RedisWebhookStore(redis, config.redis.commandTimeoutMs);
    if (
      config.envApiKeys.length === 0 &&
      config.mode === "production" &&
      !(await store.listApiKeys()).some((key) => key.revokedAt === null)
    ) {
      logger.warn(
        "no producer API key yet: create one with the admin command (see the README); it works at once, without a restart",
      );
    }
  }

  let publicUrl = config.publicUrl ?? "";
  const sealer = new KubbiSealer(keyRing);
  const context: ServiceContext = {
    store,
    requests,
    webhooks,
    sealer,
    config,
    logger,
    publicUrl: () => publicUrl,
    now: () => Date.now(),
    metrics,
  };
  // Stored keys are cached only where they can change under us: in Redis, which announces each change.
  const registry = new ApiKeyRegistry(
    store,
    config.defaultPlan,
    redis
      ? {
          ttlMs: config.apiKeyCacheSeconds * 1000,
          maxKnown: MAX_CACHED_KNOWN_KEYS,
          maxUnknown: MAX_CACHED_UNKNOWN_KEYS,
          now: context.now,
        }
      : NO_API_KEY_CACHE,
  );
  const keyChanges: ApiKeyChangeFeed | undefined =
    redis && config.apiKeyCacheSeconds > 0
      ? await followApiKeyChanges(redis, () => registry.forgetAll(), logger, config.redis.commandTimeoutMs)
      : undefined;
  config.envApiKeys.forEach((apiKey, index) => registry.addEnvironmentKey(apiKey, `KUBBI_API_KEYS[${index}]`));
  const devApiKey = config.mode === "development" ? newApiKey() : undefined;
  if (devApiKey) registry.addEnvironmentKey(devApiKey, "development key");

  // The API keys whose kubbis the periodic jobs look after: configured and stored ones, used or not
  // (the stored ones' ids in one read: these jobs run every second, whatever the number of keys).
  const knownOwners = async () => [...registry.environmentKeyIds(), ...(await store.listApiKeyIds())];
  // A periodic job's pass runs in one API process per interval, whichever asks first: its turn lasts a little
  // less than the interval, so the process that ran it can take the next one too, and another takes over if
  // it stops. Passes that overlap are still safe (each step is atomic), only wasted.
  const inTurn = (job: PeriodicJob, intervalMs: number, pass: () => Promise<void>) => async () => {
    if (await store.takeTurn(job, Math.max(1, Math.floor(intervalMs * 0.9)))) await pass();
  };
  // Every known owner's index drops purged entries, also for keys no longer used.
  const stopSweeper = startPeriodic(
    config.indexSweepSeconds * 1000,
    inTurn("index-sweep", config.indexSweepSeconds * 1000, async () =>
      store.sweepOwnerIndexes(await knownOwners(), Date.now()),
    ),
    (error) => logger.warn({ err: errorFields(error) }, "owner index sweep failed; the next one retries"),
  );
  // kubbi.expired needs a clock: the known owners' kubbis past their TTL move to expired, each with one event
  // (store.expireDue: no keyspace scan, and one winner per kubbi however many API processes look).
  const stopExpiryScheduler = startPeriodic(
    config.expiryCheckMs,
    inTurn("expiry-check", config.expiryCheckMs, async () => store.expireDue(await knownOwners(), Date.now())),
    (error) => logger.warn({ err: errorFields(error) }, "expiry check failed; the next one retries"),
  );

  // Every API process delivers webhooks: owners are shared out by lease (webhooks/worker.ts).
  const webhookWorker = new WebhookWorker(config.webhooks.pollMs, {
    store: webhooks,
    sealer,
    settings: {
      retryMs: config.webhooks.retrySeconds * 1000,
      timeoutMs: config.webhooks.timeoutMs,
      maxInFlight: config.webhooks.maxInFlight,
      allowPrivate: config.webhooks.allowPrivate,
    },
    logger,
    metrics,
    now: () => Date.now(),
  });
  webhookWorker.start();

  const drain = new Drain();
  const app = createApp({ context, registry, logger, drain });
  // A silent or slow-header connection is closed after headersTimeout (408), an idle keep-alive one
  // after keepAliveTimeout, and connections beyond maxConnections are refused at accept.
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      // Node's whole-request backstop (default 300 s) must not cut a body before our own deadline does.
      requestTimeout: Math.max(300_000, config.headersTimeoutMs + config.bodyTimeoutMs),
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(CONNECTION_CHECK_INTERVAL_MS, config.headersTimeoutMs),
    },
    app,
  );
  server.maxConnections = config.maxConnections;
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics, config.host, config.metricsPort, config.metricsToken);
  publicUrl ||= `http://localhost:${port}`;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  if (metricsServer)
    logger.info(
      { metrics_port: config.metricsPort, token_required: config.metricsToken !== undefined },
      "metrics at /metrics on their own port",
    );
  logger.info(
    { store: store.kind, mode: config.mode, public_url: publicUrl, key_ids: keyRing.ids },
    `listening on ${url}`,
  );
  if (devApiKey) process.stderr.write(developmentBanner(publicUrl, devApiKey));

  return {
    url,
    server,
    async shutdown() {
      drain.start();
      // Not awaited: a pass under way may take a while, and one that fails on the closed store only logs.
      void stopSweeper();
      void stopExpiryScheduler();
      keyChanges?.close();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const graceLimit = setTimeout(() => {
        void drain.cutOff(CUT_OFF_LINGER_MS).then(() => server.closeAllConnections());
      }, config.shutdownGraceMs);
      await closed;
      clearTimeout(graceLimit);
      await webhookWorker.stop();
      await Promise.all([store.close(), requests.close()]);
      await auditLog?.close();
    },
  };
}

/**
 * Printed once to the terminal, never through the logger: lines to paste into another shell, so the
 * CLI, SDKs and MCP server talk to this server and not to the hosted default.
 */
function developmentBanner(publicUrl: string, devApiKey: string): string {
  return [
    "",
    "kubbi is running in development mode: its server key and this API key are throwaway, valid until this process stops.",
    "To use it from another terminal, paste:",
    "",
    `  export KUBBI_BASE_URL=${publicUrl}`,
    `  export KUBBI_API_KEY=${devApiKey}`,
    "",
    `Then try: curl -s $KUBBI_BASE_URL/healthz`,
    "",
    "",
  ].join("\n");
}

function loadKeyRing(config: Config, logger: Logger): KeyRing {
  if (config.serverKeys) return KeyRing.parse(config.serverKeys, config.keyRotationSeconds);
  if (config.mode !== "development") {
    throw new StartupError(
      "KUBBI_KEYS is required in production mode (e.g. KUBBI_KEYS=k1:$(openssl rand -base64 32)); start with --dev or KUBBI_MODE=development for a throwaway key",
    );
  }
  logger.warn("development mode: generated a throwaway encryption key; kubbis will not survive a restart");
  return KeyRing.generate(config.keyRotationSeconds);
}
