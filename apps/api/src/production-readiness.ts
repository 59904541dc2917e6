import type { Config } from "./config.js";
import { hasRedis } from "./store/redis-connection.js";

/**
 * What production mode will not start without, each with what to set. Development mode makes all of
 * these up (a throwaway server key, the in-process store, localhost claim URLs, a printed API key).
 *
 * "No producer can authenticate" means: no KUBBI_API_KEYS and no Redis. With Redis, keys made with the
 * admin command at any time are found on the next request, so an empty key list there is a warning at
 * start-up (server.ts), not a refusal.
 */
export function productionProblems(config: Config): string[] {
  const problems: string[] = [];
  if (!config.serverKeys) {
    problems.push(
      "KUBBI_KEYS is required in production mode: the server key ring that seals every kubbi. Set KUBBI_KEYS=k1:$(openssl rand -base64 32)",
    );
  }
  if (!hasRedis(config.redis) && !config.allowMemoryStore) {
    problems.push(
      "REDIS_URL is not set: the in-process store loses every kubbi on restart and is not shared between processes. Set REDIS_URL=redis://host:6379 (or REDIS_CLUSTER_NODES=host:port,... for a Redis Cluster), or KUBBI_ALLOW_MEMORY_STORE=true to run a single process on it anyway",
    );
  }
  if (!config.publicUrl) {
    problems.push(
      "KUBBI_PUBLIC_URL is not set: claim URLs would name http://localhost, which consumers elsewhere cannot reach. Set it to the origin they use, e.g. KUBBI_PUBLIC_URL=https://handoff.example.com",
    );
  }
  if (!hasRedis(config.redis) && config.envApiKeys.length === 0) {
    problems.push(
      "no producer could authenticate: KUBBI_API_KEYS is empty, and without REDIS_URL there is nowhere for the admin command to create keys. Set KUBBI_API_KEYS=kb_..., or REDIS_URL",
    );
  }
  return problems;
}
