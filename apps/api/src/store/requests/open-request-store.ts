import { MemoryRequestStore } from "./memory-request-store.js";
import { RedisRequestStore } from "./redis-request-store.js";
import type { RequestStore } from "./request-store.js";

/** Redis when REDIS_URL is set, as for kubbis; otherwise in-process. */
export function openRequestStore(redisUrl: string | undefined, onConnectionError?: (error: Error) => void): RequestStore {
  return redisUrl ? new RedisRequestStore(redisUrl, onConnectionError) : new MemoryRequestStore();
}
