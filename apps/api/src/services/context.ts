import type { Config, Plan } from "../config.js";
import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import type { RequestStore } from "../store/requests/request-store.js";
import type { KubbiStore } from "../store/store.js";

/** What services need from the process: storage, keys, settings and a clock. */
export interface ServiceContext {
  store: KubbiStore;
  /** Request links (docs/request-links.md). */
  requests: RequestStore;
  sealer: KubbiSealer;
  config: Config;
  /** The origin claim URLs are built on (known once the server listens). */
  publicUrl(): string;
  now(): number;
}

/** The authenticated producer: an API key's id and the limits that apply to it. */
export interface Producer {
  keyId: string;
  /** The key's name: shown to a filler as who is asking. */
  name: string;
  plan: Plan;
}
