import type { KubbiStore } from "../store/store.js";
import type { Metrics } from "./metrics.js";

/** Store operations requests make, each timed as a whole (rate limits are counted in process, so not here). */
const REDIS_OPERATIONS = [
  "create",
  "claim",
  "restoreClaim",
  "findByTokenHash",
  "inspect",
  "findById",
  "delete",
  "listByOwner",
  "readOwnerEvents",
  "readKubbiEvents",
  "findApiKey",
  "saveApiKey",
  "listApiKeys",
  "revokeApiKey",
  "beginIdempotent",
  "completeIdempotent",
  "abandonIdempotent",
  "ping",
] as const satisfies ReadonlyArray<keyof KubbiStore>;

/** The Redis store, with each operation's latency and failures recorded under its method name. */
export function instrumentRedisStore(store: KubbiStore, metrics: Metrics): KubbiStore {
  const timed = new Map<PropertyKey, unknown>();
  for (const operation of REDIS_OPERATIONS) {
    const original = (store[operation] as (...args: unknown[]) => Promise<unknown>).bind(store);
    timed.set(operation, async (...args: unknown[]) => {
      const startedAt = process.hrtime.bigint();
      let failed = true;
      try {
        const result = await original(...args);
        failed = false;
        return result;
      } finally {
        metrics.redisOperation(operation, Number(process.hrtime.bigint() - startedAt) / 1e9, failed);
      }
    });
  }
  return new Proxy(store, {
    get(target, property, receiver) {
      if (timed.has(property)) return timed.get(property);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
