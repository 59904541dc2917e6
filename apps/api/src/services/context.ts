import type { Logger } from "pino";
import type { Config, Plan } from "../config.js";
import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import type { RequestStore } from "../store/requests/request-store.js";
import type { Metrics } from "../metrics/metrics.js";
import type { KubbiStore } from "../store/store.js";
import type { WebhookStore } from "../webhooks/webhook-store.js";

/** What services need from the process: storage, keys, settings, a log and a clock. */
export interface ServiceContext {
  store: KubbiStore;
  /** Request links (docs/request-links.md). */
  requests: RequestStore;
  /** Webhook endpoints and their delivery queues (docs/webhooks.md). */
  webhooks: WebhookStore;
  sealer: KubbiSealer;
  config: Config;
  /** For what the operator must hear about even when the request succeeds (a kubbi that no key opens). */
  logger: Logger;
  /** The origin claim URLs are built on (known once the server listens). */
  publicUrl(): string;
  now(): number;
  metrics: Metrics;
}

/** The authenticated producer: an API key's id and the limits that apply to it. */
export interface Producer {
  keyId: string;
  /** The key's name: shown to a filler as who is asking. */
  name: string;
  plan: Plan;
  /**
   * The key as presented, for this request only: secrets derived from it (idempotent replays) are
   * out of reach of anyone holding storage, which keeps only the key's SHA-256.
   */
  apiKey: string;
}
