import type { KubbiStore } from "../store/store.js";

/**
 * kubbi.expired needs a clock: every intervalMs, the store moves the known owners' kubbis past their
 * TTL to expired, each with one event (store.expireDue: no keyspace scan, and one winner per kubbi
 * however many API processes look). One pass at a time; a failed pass is retried by the next.
 * Returns the stop function.
 */
export function startExpiryScheduler(
  store: KubbiStore,
  knownOwners: () => Promise<string[]>,
  intervalMs: number,
  onError: (error: Error) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    knownOwners()
      .then((owners) => store.expireDue(owners, Date.now()))
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs).unref();
  return () => clearInterval(timer);
}
