#!/usr/bin/env node
import { type Config, ConfigError, loadConfig } from "./config.js";
import { KeyRingError } from "./crypto/keyring.js";
import { createLogger, errorFields } from "./logger.js";
import { StartupError, startServer, type RunningServer } from "./server.js";

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`kubbi-api: ${error.message}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel, config.mode === "development" ? "pretty" : "json");
/** Logs are written asynchronously: let the last lines out before the process ends. */
const exitAfterFlush = (code: number) => logger.flush(() => process.exit(code));

// Handlers go in before the server listens: a signal during start-up must not kill the process
// with the default action while clients are already connected.
let running: RunningServer | undefined;
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: draining in-flight requests");
  await running?.shutdown();
  logger.info("stopped");
  exitAfterFlush(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

try {
  running = await startServer(config, logger);
} catch (error) {
  if (
    error instanceof StartupError ||
    error instanceof KeyRingError ||
    (error instanceof Error && error.message.startsWith("KUBBI_API_KEYS"))
  ) {
    logger.fatal(error.message);
  } else {
    logger.fatal({ err: errorFields(error) }, "could not start");
  }
  exitAfterFlush(1);
}
