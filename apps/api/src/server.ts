import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { ApiKeyRegistry } from "./auth/api-keys.js";
import type { Config } from "./config.js";
import { KeyRing } from "./crypto/keyring.js";
import { KubbiSealer } from "./crypto/kubbi-sealer.js";
import { newApiKey } from "./crypto/tokens.js";
import type { ServiceContext } from "./services/context.js";
import { StartupError } from "./startup-error.js";
import { MemoryStore } from "./store/memory.js";
import { RedisStore } from "./store/redis.js";
import { hasRedis, openRedis } from "./store/redis-connection.js";
import { checkRedisDeployment } from "./store/redis-preflight.js";
import type { KubbiStore } from "./store/store.js";

export { StartupError };


export interface RunningServer {
  url: string;
  server: Server;
  /** Stops taking requests, lets in-flight ones finish, then closes storage. */
  shutdown(): Promise<void>;
}


/** Process wiring: keys, store, app, listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const keyRing = loadKeyRing(config, logger);
  const retentionMs = config.tombstoneRetentionSeconds * 1000;
  let store: KubbiStore;
  if (!hasRedis(config.redis)) {
    store = new MemoryStore();
    logger.warn("no REDIS_URL: using the in-process store (data lives in this process only and is lost on restart)");
  } else {
    const redis = openRedis(config.redis, (error) => logger.error({ err: { name: error.name, message: error.message } }, "redis connection error"));
    try {
      await checkRedisDeployment(redis, { production: config.mode === "production", allowNonDurable: config.allowNonDurableRedis }, logger);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    store = new RedisStore(redis, {
      waitReplicas: config.redis.waitReplicas,
      waitTimeoutMs: config.redis.waitTimeoutMs,
      retentionMs,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      // The default plan's limit: a key with a larger plan override reads its largest payloads under a tighter bound.
      largestPayloadBytes: config.defaultPlan.maxKubbiBytes,
    });
    if (config.envApiKeys.length === 0 && config.mode === "production" && !(await store.listApiKeys()).some((key) => key.revokedAt === null)) {
      logger.warn("no producer API key yet: create one with the admin command (see the README); it works at once, without a restart");
    }
  }

  let publicUrl = config.publicUrl ?? "";
  const context: ServiceContext = {
    store,
    sealer: new KubbiSealer(keyRing),
    config,
    logger,
    publicUrl: () => publicUrl,
    now: () => Date.now(),
  };
  const registry = new ApiKeyRegistry(store, config.defaultPlan);
  config.envApiKeys.forEach((apiKey, index) => registry.addEnvironmentKey(apiKey, `KUBBI_API_KEYS[${index}]`));
  const devApiKey = config.mode === "development" ? newApiKey() : undefined;
  if (devApiKey) registry.addEnvironmentKey(devApiKey, "development key");

  // Every known owner's index drops purged entries, also for keys no longer used (one sweep at a time).
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    const sweep = async () => store.sweepOwnerIndexes([...registry.environmentKeyIds(), ...(await store.listApiKeys()).map((key) => key.id)], Date.now());
    sweep()
      .catch((error: Error) => logger.warn({ err: { name: error.name, message: error.message } }, "owner index sweep failed; the next one retries"))
      .finally(() => (sweeping = false));
  }, config.indexSweepSeconds * 1000).unref();

  let draining = false;
  const app = createApp({ context, registry, logger, isDraining: () => draining });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  publicUrl ||= `http://localhost:${port}`;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ store: store.kind, mode: config.mode, public_url: publicUrl, key_ids: keyRing.ids }, `listening on ${url}`);
  if (devApiKey) process.stderr.write(developmentBanner(publicUrl, devApiKey));

  return {
    url,
    server,
    async shutdown() {
      draining = true;
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs).unref();
      });
      await store.close();
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
    throw new StartupError("KUBBI_KEYS is required in production mode (e.g. KUBBI_KEYS=k1:$(openssl rand -base64 32)); start with --dev or KUBBI_MODE=development for a throwaway key");
  }
  logger.warn("development mode: generated a throwaway encryption key; kubbis will not survive a restart");
  return KeyRing.generate(config.keyRotationSeconds);
}
