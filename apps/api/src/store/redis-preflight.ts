import type { Logger } from "pino";
import { Cluster } from "ioredis";
import { StartupError } from "../startup-error.js";
import { masters, type RedisClient } from "./redis-connection.js";

interface PreflightPolicy {
  production: boolean;
  /** KUBBI_ALLOW_NON_DURABLE_REDIS: start without the append-only file, with a warning. */
  allowNonDurable: boolean;
}

/**
 * Checks the Redis the API is about to use: reachable; a cluster node only through REDIS_CLUSTER_NODES
 * (through REDIS_URL every create would fail with MOVED); and, in production, the append-only file on
 * every master, because without it a crash revives burned kubbis and loses acknowledged ones.
 */
export async function checkRedisDeployment(redis: RedisClient, policy: PreflightPolicy, logger: Logger): Promise<void> {
  await redis.ping();
  if (!(redis instanceof Cluster) && /cluster_enabled:1/.test(await redis.info("cluster"))) {
    throw new StartupError(
      "REDIS_URL points at a Redis Cluster node (cluster_enabled:1): set REDIS_CLUSTER_NODES=host:port,host:port,... (seed nodes) instead of REDIS_URL",
    );
  }
  if (!policy.production) return;
  for (const node of masters(redis)) {
    const where = `${node.options.host}:${node.options.port}`;
    let settings: string[];
    try {
      settings = (await node.call("CONFIG", "GET", "append*")) as string[];
    } catch {
      logger.warn(
        { node: where },
        "cannot read Redis persistence settings (CONFIG is not permitted here): check that appendonly is yes (appendfsync everysec or always); without the append-only file a crash revives burned kubbis and loses acknowledged ones",
      );
      continue;
    }
    const config = Object.fromEntries(
      settings.flatMap((value, index) => (index % 2 === 0 ? [[value, settings[index + 1]]] : [])),
    );
    if (config.appendonly === "yes") {
      logger.info({ node: where, appendfsync: config.appendfsync }, "redis persistence: append-only file on");
      continue;
    }
    const risk = "a Redis crash or restart can lose acknowledged kubbis and revive burned ones (served again)";
    if (!policy.allowNonDurable) {
      throw new StartupError(
        `Redis at ${where} runs without the append-only file (appendonly ${config.appendonly ?? "unknown"}): ${risk}. Set appendonly yes (appendfsync everysec) on every master, or KUBBI_ALLOW_NON_DURABLE_REDIS=true to accept the risk`,
      );
    }
    logger.warn(
      { node: where },
      `KUBBI_ALLOW_NON_DURABLE_REDIS=true: Redis runs without the append-only file; ${risk}`,
    );
  }
}
