/**
 * What the tools need to reach kubbi: a producer client for the key's own kubbis, and consumer options
 * for claim URLs. Claim URLs come from other agents and users, so consumer calls are pinned to the
 * configured API (plus any origins explicitly allowed): a URL naming another host is refused unsent.
 */
import { KubbiClient, KubbiUsageError, claim, inspect, type ClaimResult, type FetchLike, type InspectResult } from "@kubbi.ai/sdk";

export interface KubbiAccessOptions {
  /** The kubbi API that producer calls go to and that claim URLs must name. */
  baseUrl: string;
  /** A producer key (`kb_…`). Without one, only kubbi_inspect and kubbi_claim work. */
  apiKey?: string | undefined;
  /** Further origins a claim URL may name, e.g. a public URL in front of an internal baseUrl. */
  allowedOrigins?: readonly string[] | undefined;
  fetch?: FetchLike | undefined;
}

export class KubbiAccess {
  readonly #options: KubbiAccessOptions;
  #client: KubbiClient | undefined;

  constructor(options: KubbiAccessOptions) {
    this.#options = options;
  }

  /** The producer client; a usage error (shown to the model as a tool error) when no key was configured. */
  producer(): KubbiClient {
    const { apiKey, baseUrl, fetch } = this.#options;
    if (!apiKey) throw new KubbiUsageError("No kubbi API key is configured (set KUBBI_API_KEY): only kubbi_inspect and kubbi_claim work without one");
    this.#client ??= new KubbiClient({ apiKey, baseUrl, fetch });
    return this.#client;
  }

  inspect(claimUrl: string): Promise<InspectResult> {
    return inspect(claimUrl, this.#consumerOptions());
  }

  claim(claimUrl: string): Promise<ClaimResult> {
    return claim(claimUrl, this.#consumerOptions());
  }

  #consumerOptions() {
    const { baseUrl, allowedOrigins, fetch } = this.#options;
    return { baseUrl, allowedOrigins, fetch };
  }
}
