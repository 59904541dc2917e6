import { MemoryStore } from "./memory.js";
import { RedisStore } from "./redis.js";
import type { KubbiStore } from "./store.js";

/** Redis when REDIS_URL is set; otherwise the in-process store for a zero-setup start. */
export function openStore(redisUrl: string | undefined, onConnectionError?: (error: Error) => void): KubbiStore {
  return redisUrl ? new RedisStore(redisUrl, onConnectionError) : new MemoryStore();
}
