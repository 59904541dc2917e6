import { Cluster, type Redis } from "ioredis";
import { withDeadline, type RedisClient, type RedisSettings } from "./redis-connection.js";
import { ReplicationError } from "./redis-errors.js";

/** What waiting for replicas needs of the Redis settings (KUBBI_REDIS_WAIT_REPLICAS and its timeout). */
export type ReplicaWaitSettings = Pick<RedisSettings, "waitReplicas" | "waitTimeoutMs" | "commandTimeoutMs">;

/**
 * With KUBBI_REDIS_WAIT_REPLICAS=N: waits until N replicas of the master holding each key have every
 * write made so far on that connection, or throws ReplicationError (503) after the timeout. The write
 * stays as it is: it may still reach the replicas, or be lost in a failover. Used by every write whose
 * success a client is told: a kubbi's create and burn, a request's create, delivery and cancel.
 */
export async function waitForReplicas(redis: RedisClient, settings: ReplicaWaitSettings, keys: string[]) {
  const { waitReplicas, waitTimeoutMs } = settings;
  if (waitReplicas === 0) return;
  const acknowledged = await Promise.all(keys.map((key) => waitOnMasterOf(redis, settings, key)));
  const fewest = Math.min(...acknowledged);
  if (fewest < waitReplicas)
    throw new ReplicationError(
      `${fewest} of ${waitReplicas} replicas acknowledged the write within ${waitTimeoutMs} ms`,
    );
}

/** WAIT has no key: in a cluster it rides in a one-slot batch behind a read of the key, so it runs on that key's master. */
async function waitOnMasterOf(redis: RedisClient, settings: ReplicaWaitSettings, key: string): Promise<number> {
  const { waitReplicas, waitTimeoutMs, commandTimeoutMs } = settings;
  // The command timeout, plus the time WAIT itself may take.
  const deadlineMs = commandTimeoutMs + waitTimeoutMs;
  if (!(redis instanceof Cluster)) return withDeadline((redis as Redis).wait(waitReplicas, waitTimeoutMs), deadlineMs);
  const replies = await withDeadline(
    redis.pipeline().exists(key).call("WAIT", String(waitReplicas), String(waitTimeoutMs)).exec(),
    deadlineMs,
  );
  const [error, acknowledged] = replies?.[1] ?? [new Error("WAIT got no reply"), 0];
  if (error) throw error;
  return Number(acknowledged);
}
