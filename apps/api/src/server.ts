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
import { openStore } from "./store/open-store.js";
import { openRequestStore } from "./store/requests/open-request-store.js";

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops taking requests, lets in-flight ones finish, then closes storage. */
  shutdown(): Promise<void>;
}

export class StartupError extends Error {}

/** Process wiring: keys, store, app, listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const keyRing = loadKeyRing(config, logger);
  const store = openStore(config.redisUrl, (error) => logger.error({ err: { name: error.name, message: error.message } }, "redis connection error"));
  if (store.kind === "memory") {
    logger.warn("no REDIS_URL: using the in-process store (data lives in this process only and is lost on restart)");
  } else {
    await store.ping();
  }

  const requests = openRequestStore(config.redisUrl, (error) => logger.error({ err: { name: error.name, message: error.message } }, "redis connection error"));

  let publicUrl = config.publicUrl ?? "";
  const context: ServiceContext = {
    store,
    requests,
    sealer: new KubbiSealer(keyRing),
    config,
    publicUrl: () => publicUrl,
    now: () => Date.now(),
  };
  const registry = new ApiKeyRegistry(store, config.defaultPlan);
  config.envApiKeys.forEach((apiKey, index) => registry.addEnvironmentKey(apiKey, `KUBBI_API_KEYS[${index}]`));
  const devApiKey = config.mode === "development" ? newApiKey() : undefined;
  if (devApiKey) registry.addEnvironmentKey(devApiKey, "development key");

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
  if (devApiKey) {
    // Printed once to the terminal for the README walk-through; never through the logger.
    process.stderr.write(`\n  kubbi dev API key (valid until this process stops): ${devApiKey}\n  try: curl -s ${publicUrl}/healthz\n\n`);
  }

  return {
    url,
    server,
    async shutdown() {
      draining = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs).unref();
      });
      await Promise.all([store.close(), requests.close()]);
    },
  };
}

function loadKeyRing(config: Config, logger: Logger): KeyRing {
  if (config.serverKeys) return KeyRing.parse(config.serverKeys, config.keyRotationSeconds);
  if (config.mode !== "development") {
    throw new StartupError("KUBBI_KEYS is required in production mode (e.g. KUBBI_KEYS=k1:$(openssl rand -base64 32)); start with --dev or KUBBI_MODE=development for a throwaway key");
  }
  logger.warn("development mode: generated a throwaway encryption key; kubbis will not survive a restart");
  return KeyRing.generate(config.keyRotationSeconds);
}
