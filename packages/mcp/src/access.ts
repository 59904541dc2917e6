/**
 * What the tools need from kubbi: one interface, two implementations. `SdkAccess` (here) talks to a
 * kubbi API over HTTP through @kubbi.ai/sdk, for the stdio server; the kubbi API implements the same
 * interface in-process over its own services for its /mcp endpoint. Results are the SDK's own types.
 */
import {
  KubbiClient,
  KubbiUsageError,
  claim,
  inspect,
  type ClaimResult,
  type DeleteResult,
  type FetchLike,
  type InspectResult,
  type KubbiDetail,
  type KubbiList,
  type RequestHandle,
  type RequestParams,
  type SendFilesParams,
  type SendFilesResult,
  type SendParams,
  type SendResult,
} from "@kubbi.ai/sdk";
import { isWellFormedApiKey } from "@kubbi.ai/sdk/wire";

export interface KubbiAccess {
  send(params: SendParams): Promise<SendResult>;
  sendFiles(params: SendFilesParams): Promise<SendFilesResult>;
  get(id: string): Promise<KubbiDetail>;
  list(params: { page: number; limit: number }): Promise<KubbiList>;
  delete(id: string): Promise<DeleteResult>;
  /** Consumer calls: no key; the claim URL is the capability, and it must name this kubbi API. */
  inspect(claimUrl: string): Promise<InspectResult>;
  claim(claimUrl: string): Promise<ClaimResult>;
}

export interface SdkAccessOptions {
  /** The kubbi API that producer calls go to and that claim URLs must name. */
  baseUrl: string;
  /** A producer key (`kb_…`). Without one, only kubbi_inspect and kubbi_claim work. */
  apiKey?: string | undefined;
  /** Further origins a claim URL may name, e.g. a public URL in front of an internal baseUrl. */
  allowedOrigins?: readonly string[] | undefined;
  fetch?: FetchLike | undefined;
}

/**
 * A remote kubbi API. Claim URLs come from other agents and users, so consumer calls are pinned to the
 * configured API (plus any origins explicitly allowed): a URL naming another host is refused unsent.
 */
export class SdkAccess implements KubbiAccess {
  readonly #options: SdkAccessOptions;
  #client: KubbiClient | undefined;

  constructor(options: SdkAccessOptions) {
    this.#options = options;
  }

  send(params: SendParams): Promise<SendResult> {
    return this.#producer().send(params);
  }

  sendFiles(params: SendFilesParams): Promise<SendFilesResult> {
    return this.#producer().sendFiles(params);
  }

  get(id: string): Promise<KubbiDetail> {
    return this.#producer().get(id);
  }

  async list(params: { page: number; limit: number }): Promise<KubbiList> {
    return await this.#producer().list(params);
  }

  delete(id: string): Promise<DeleteResult> {
    return this.#producer().delete(id);
  }

  /** A request link (stdio only): the handle, with its private key, stays in this process. */
  request(params: RequestParams): Promise<{ fillUrl: string; handle: RequestHandle }> {
    return this.#producer().request(params);
  }

  inspect(claimUrl: string): Promise<InspectResult> {
    return inspect(claimUrl, this.#consumerOptions());
  }

  claim(claimUrl: string): Promise<ClaimResult> {
    return claim(claimUrl, this.#consumerOptions());
  }

  /** The producer client; a usage error (shown to the model as a tool error) when no key was configured. */
  #producer(): KubbiClient {
    const { apiKey, baseUrl, fetch } = this.#options;
    if (!apiKey)
      throw new KubbiUsageError(
        "No kubbi API key is configured (set KUBBI_API_KEY): only kubbi_inspect and kubbi_claim work without one",
      );
    // The API's own rule (one pattern for both): a mistyped key is said here, and never sent anywhere.
    if (!isWellFormedApiKey(apiKey))
      throw new KubbiUsageError("KUBBI_API_KEY is not a kubbi API key (kb_ and 43 to 128 base64url characters)");
    this.#client ??= new KubbiClient({ apiKey, baseUrl, fetch });
    return this.#client;
  }

  #consumerOptions() {
    const { baseUrl, allowedOrigins, fetch } = this.#options;
    return { baseUrl, allowedOrigins, fetch };
  }
}
