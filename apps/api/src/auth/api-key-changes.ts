import { Cluster } from "ioredis";
import type { Logger } from "pino";
import { withDeadline, type RedisClient } from "../store/redis-connection.js";
import { errorFields } from "../logger.js";

/**
 * Published whenever a stored API key is created or revoked (by `kubbi-admin keys`). Every API
 * process listens and drops its cached key lookups. The message names what happened (an event and
 * a key id, never a key or its hash); listeners do not read it: any message means "look again".
 * PUBLISH reaches every node of a Redis Cluster, so one channel serves both deployments.
 */
export const API_KEY_CHANGES_CHANNEL = "kubbi:api-keys:changed";

/** Tells every API process that a stored key changed. */
export async function announceApiKeyChange(redis: RedisClient, event: "created" | "revoked", keyId: string) {
  await redis.publish(API_KEY_CHANGES_CHANNEL, `${event} ${keyId}`);
}

export interface ApiKeyChangeFeed {
  close(): void;
}

/**
 * Calls `onChange` on every announced change, and also whenever the connection is (re)established:
 * announcements made while it was down are lost, so whatever was cached before may be stale.
 * Resolves once subscribed (the server listens only then, so no change after its start goes unheard),
 * or once subscribing failed or took longer than `waitMs`, which is logged: cached lookups then still
 * expire on their own.
 * Runs on a connection of its own (a subscribed connection takes no other commands).
 */
export async function followApiKeyChanges(
  redis: RedisClient,
  onChange: () => void,
  logger: Logger,
  waitMs: number,
): Promise<ApiKeyChangeFeed> {
  // The store's connection stops queueing once connected; this one must queue its SUBSCRIBE until it is.
  const subscriber = redis instanceof Cluster ? redis.duplicate() : redis.duplicate({ enableOfflineQueue: true });
  subscriber.on("message", onChange);
  subscriber.on("ready", onChange);
  subscriber.on("error", (error: Error) =>
    logger.warn(
      { err: errorFields(error) },
      "API key change feed: connection error (cached key lookups still expire on their own)",
    ),
  );
  // Waited for, but never longer than a command may take: a slow subscription goes on in the background.
  await withDeadline(subscriber.subscribe(API_KEY_CHANGES_CHANNEL), waitMs).catch((error: Error) =>
    logger.warn(
      { err: errorFields(error) },
      "API key change feed: not subscribed yet (cached key lookups still expire on their own)",
    ),
  );
  return { close: () => subscriber.disconnect() };
}
