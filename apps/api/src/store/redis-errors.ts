/** Fewer replicas than KUBBI_REDIS_WAIT_REPLICAS acknowledged a write in time. */
export class ReplicationError extends Error {
  override name = "ReplicationError";
}

/** Replies a cluster or a restarting server gives while it cannot serve: retry later, nothing is wrong with the request. */
const TRANSIENT_REPLIES = /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|LOADING|MASTERDOWN|READONLY|NOREPLICAS|BUSY|UNBLOCKED)\b/;
/** What ioredis throws when the connection is gone, slow, or the cluster has no route. */
const CONNECTION_FAILURES =
  /Command timed out|Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries|None of startup nodes|Too many Cluster redirections|Cluster isn't ready|Failed to refresh slots cache|connect E[A-Z]+|read E[A-Z]+|write E[A-Z]+|socket/i;
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTCONN",
  "ENETUNREACH",
]);

/**
 * Whether an error means "Redis cannot serve right now" (answered as 503 with Retry-After) rather than
 * a bug (500): connection loss, timeouts, failover replies, too few replicas.
 */
export function isStorageUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ReplicationError) return true;
  if (["MaxRetriesPerRequestError", "ClusterAllFailedError"].includes(error.name)) return true;
  if (CONNECTION_CODES.has((error as NodeJS.ErrnoException).code ?? "")) return true;
  if (error.name === "ReplyError") return TRANSIENT_REPLIES.test(error.message);
  return CONNECTION_FAILURES.test(error.message);
}
