/** The producer client: creates, lists, reads and deletes kubbis with an API key. */
import { normalizeBaseUrl, resolveClaimTarget } from "./claim-target.js";
import { claimTarget, inspectTarget, makeTransport, pickRequestOptions, type ConsumerOptions } from "./consumer.js";
import {
  toDeleteResult,
  toKubbiDetail,
  toKubbiEvent,
  toKubbiList,
  toSendFilesResult,
  toSendResult,
  toWireCreatePackage,
  toWireCreateSingle,
} from "./convert.js";
import { readEnv } from "./env.js";
import { KubbiError, KubbiUsageError } from "./errors.js";
import type { KubbiLogger } from "./log.js";
import { generateRequestKeyPair, publicKeyFingerprint } from "./envelope.js";
import { request, type FetchLike, type RequestOptions, type Transport } from "./request.js";
import {
  parseHandleJson,
  RequestHandle,
  toWireRequest,
  type RequestHandleJson,
  type RequestParams,
  type WireRequest,
} from "./requests.js";
import type {
  AllEventsParams,
  ClaimResult,
  DeleteResult,
  InspectResult,
  KubbiDetail,
  KubbiEvent,
  KubbiList,
  ListParams,
  SendFilesParams,
  SendFilesResult,
  SendOptions,
  SendParams,
  SendResult,
} from "./types.js";
import type {
  WireCreatedPackage,
  WireCreatedSingle,
  WireCreatePackage,
  WireCreateSingle,
  WireDeleted,
  WireDetail,
  WireEventList,
  WireList,
} from "./wire.js";

export const DEFAULT_BASE_URL = "https://api.kubbi.ai";

export interface KubbiClientOptions {
  /** A producer API key (`kb_…`). Defaults to the KUBBI_API_KEY environment variable where there is one. */
  apiKey?: string;
  /** The kubbi API. Defaults to KUBBI_BASE_URL, then https://api.kubbi.ai. */
  baseUrl?: string;
  /** Retries after the first attempt for network failures, 502/503/504 and rate limiting. Default 2. */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds. Default 30000. */
  timeout?: number;
  /** A fetch implementation to use instead of the global one. */
  fetch?: FetchLike;
  /** Log each request (claim tokens masked, API key never shown) through `logger`, or `console`. */
  debug?: boolean;
  logger?: KubbiLogger;
}

/** Awaiting it gives one page; iterating it with `for await` walks every kubbi from that page on. */
export type KubbiListRequest = Promise<KubbiList> & AsyncIterable<KubbiDetail>;

/** Client-side claim/inspect options: the target is always pinned to the client's baseUrl. */
export type ClientConsumerOptions = RequestOptions & Pick<ConsumerOptions, "allowedOrigins">;

export class KubbiClient {
  readonly baseUrl: string;
  readonly #producer: Transport;
  readonly #consumer: Transport;

  constructor(options: KubbiClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv("KUBBI_API_KEY");
    if (!apiKey) {
      throw new KubbiUsageError(
        "No kubbi API key: pass new KubbiClient({ apiKey }) or set the KUBBI_API_KEY environment variable (Deno also needs --allow-env)",
      );
    }
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? readEnv("KUBBI_BASE_URL") ?? DEFAULT_BASE_URL);
    this.#producer = makeTransport(options, { authorization: `Bearer ${apiKey}` });
    // Consumer routes need no key, so it is never sent to them.
    this.#consumer = makeTransport(options);
  }

  /** Creates a kubbi holding one payload and returns its claim URL. */
  async send(params: SendParams, options: RequestOptions & SendOptions = {}): Promise<SendResult> {
    return toSendResult(await this.#create<WireCreatedSingle>(toWireCreateSingle(params), options));
  }

  /** Creates a package of up to five files behind one claim URL. Binary content is base64-encoded for you. */
  async sendFiles(params: SendFilesParams, options: RequestOptions & SendOptions = {}): Promise<SendFilesResult> {
    return toSendFilesResult(await this.#create<WireCreatedPackage>(await toWireCreatePackage(params), options));
  }

  /** One of your kubbis, also after it is gone (for the API's retention window). */
  async get(id: string, options: RequestOptions = {}): Promise<KubbiDetail> {
    const wire = await request<WireDetail>(this.#producer, {
      ...pickRequestOptions(options),
      method: "GET",
      url: this.#kubbiUrl(id),
    });
    return toKubbiDetail(wire);
  }

  /**
   * Your kubbis, newest first. `await client.list({ page, limit })` gives one page;
   * `for await (const kubbi of client.list({ limit }))` walks every page from `page` on.
   */
  list(params: ListParams = {}, options: RequestOptions = {}): KubbiListRequest {
    const firstPage = this.#listPage(params.page ?? 1, params.limit, options);
    const walk = async function* (this: KubbiClient): AsyncGenerator<KubbiDetail> {
      // Pages are offsets into a newest-first list, so a kubbi created meanwhile shifts the rest by one: skip repeats.
      const seen = new Set<string>();
      let page = await firstPage;
      for (;;) {
        for (const kubbi of page.kubbis) {
          if (seen.has(kubbi.id)) continue;
          seen.add(kubbi.id);
          yield kubbi;
        }
        if (page.kubbis.length === 0 || page.pagination.page >= page.pagination.totalPages) return;
        page = await this.#listPage(page.pagination.page + 1, page.pagination.limit, options);
      }
    }.bind(this);
    return Object.assign(firstPage, { [Symbol.asyncIterator]: walk });
  }

  /**
   * What happened to one of your kubbis, oldest first: created, each claim (when, from which address, with
   * which user agent), burned, expired, deleted, failed claims. Every page of them, read for you.
   */
  async events(id: string, options: RequestOptions = {}): Promise<KubbiEvent[]> {
    const events: KubbiEvent[] = [];
    for await (const event of this.#eventPages(`${this.#kubbiUrl(id)}/events`, {}, options)) events.push(event);
    return events;
  }

  /**
   * Every event of this API key, oldest first, page by page, up to the newest there is now. Resumable: keep
   * the `id` of the last event you handled and pass it as `since` next time to get exactly the ones after it.
   */
  allEvents(params: AllEventsParams = {}, options: RequestOptions = {}): AsyncGenerator<KubbiEvent, void> {
    return this.#eventPages(`${this.baseUrl}/api/v1/events`, params, options);
  }

  /** Deletes a kubbi now and wipes its payload. */
  async delete(id: string, options: RequestOptions = {}): Promise<DeleteResult> {
    const wire = await request<WireDeleted>(this.#producer, {
      ...pickRequestOptions(options),
      method: "DELETE",
      url: this.#kubbiUrl(id),
    });
    return toDeleteResult(wire);
  }

  /** Like the standalone `inspect`, but a full URL must be on this client's baseUrl origin (or `allowedOrigins`). */
  async inspect(urlOrToken: string, options: ClientConsumerOptions = {}): Promise<InspectResult> {
    const target = resolveClaimTarget(urlOrToken, { baseUrl: this.baseUrl, allowedOrigins: options.allowedOrigins });
    return inspectTarget(this.#consumer, target, pickRequestOptions(options));
  }

  /** Like the standalone `claim`, but a full URL must be on this client's baseUrl origin (or `allowedOrigins`). */
  async claim(urlOrToken: string, options: ClientConsumerOptions = {}): Promise<ClaimResult> {
    const target = resolveClaimTarget(urlOrToken, { baseUrl: this.baseUrl, allowedOrigins: options.allowedOrigins });
    return claimTarget(this.#consumer, target, pickRequestOptions(options));
  }

  /**
   * Asks someone for a secret or files: returns the fill URL to give them and a handle holding this request's
   * private key (made here, never sent). `handle.wait()` then `handle.claim()` gives the decrypted delivery.
   */
  async request(
    params: RequestParams,
    options: RequestOptions = {},
  ): Promise<{ fillUrl: string; handle: RequestHandle }> {
    const keys = await generateRequestKeyPair();
    const wire = await request<{ id: string; fill_url: string }>(this.#producer, {
      ...pickRequestOptions(options),
      method: "POST",
      url: `${this.baseUrl}/api/v1/requests`,
      body: toWireRequest(params, keys.publicKey),
    });
    // The fingerprint is ours, not the server's word: a fill URL naming another key is refused here.
    const fingerprint = await publicKeyFingerprint(keys.publicKey);
    if (new URLSearchParams(new URL(wire.fill_url).hash.slice(1)).get("k") !== fingerprint) {
      throw new KubbiError("The API's fill URL does not carry this request's key fingerprint");
    }
    const handle = new RequestHandle(this, {
      kind: "kubbi-request-handle",
      v: 1,
      baseUrl: this.baseUrl,
      requestId: wire.id,
      fillUrl: wire.fill_url,
      privateKey: keys.privateKey,
    });
    return { fillUrl: wire.fill_url, handle };
  }

  /** A handle from `handle.toJSON()`, on this client (its API key reads the request). */
  resumeRequest(json: RequestHandleJson | string): RequestHandle {
    const parsed = parseHandleJson(json);
    if (parsed.baseUrl !== this.baseUrl)
      throw new KubbiUsageError(`This request handle belongs to ${parsed.baseUrl}, not ${this.baseUrl}`);
    return new RequestHandle(this, parsed);
  }

  /** Resumes a handle with a client made for it: the handle's baseUrl, and the API key from `options` or KUBBI_API_KEY. */
  static resumeRequest(
    json: RequestHandleJson | string,
    options: Omit<KubbiClientOptions, "baseUrl"> = {},
  ): RequestHandle {
    const parsed = parseHandleJson(json);
    return new KubbiClient({ ...options, baseUrl: parsed.baseUrl }).resumeRequest(parsed);
  }

  /** One of your requests (the raw wire view: its sealed claim token opens only with the handle's private key). */
  async getRequest(id: string, options: RequestOptions = {}): Promise<WireRequest> {
    return request<WireRequest>(this.#producer, {
      ...pickRequestOptions(options),
      method: "GET",
      url: `${this.baseUrl}/api/v1/requests/${encodeURIComponent(id)}`,
    });
  }

  /** Cancels an open request: its fill URL takes nothing any more. */
  async cancelRequest(id: string, options: RequestOptions = {}): Promise<{ id: string; status: "cancelled" }> {
    return request(this.#producer, {
      ...pickRequestOptions(options),
      method: "DELETE",
      url: `${this.baseUrl}/api/v1/requests/${encodeURIComponent(id)}`,
    });
  }

  #create<Created>(
    body: WireCreateSingle | WireCreatePackage,
    options: RequestOptions & SendOptions,
  ): Promise<Created> {
    // One key per call, reused by every retry of it, so a retried send returns the same kubbi.
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return request<Created>(this.#producer, {
      ...pickRequestOptions(options),
      method: "POST",
      url: `${this.baseUrl}/api/v1/kubbis`,
      body,
      headers: { "idempotency-key": idempotencyKey },
    });
  }

  async #listPage(page: number, limit: number | undefined, options: RequestOptions): Promise<KubbiList> {
    const query = new URLSearchParams({ page: String(page) });
    if (limit !== undefined) query.set("limit", String(limit));
    const wire = await request<WireList>(this.#producer, {
      ...pickRequestOptions(options),
      method: "GET",
      url: `${this.baseUrl}/api/v1/kubbis?${query}`,
    });
    return toKubbiList(wire);
  }

  /** Walks an event list route with `since` from page to page until the API says there is no more. */
  async *#eventPages(url: string, params: AllEventsParams, options: RequestOptions): AsyncGenerator<KubbiEvent, void> {
    let since = params.since ?? null;
    for (;;) {
      const query = new URLSearchParams();
      if (since !== null) query.set("since", since);
      if (params.limit !== undefined) query.set("limit", String(params.limit));
      const search = query.toString();
      const page = await request<WireEventList>(this.#producer, {
        ...pickRequestOptions(options),
        method: "GET",
        url: search ? `${url}?${search}` : url,
      });
      for (const event of page.events) yield toKubbiEvent(event);
      // next_since is this page's last id, and the API returns only what comes after it: no repeats, no gaps.
      if (!page.has_more || page.events.length === 0 || page.next_since === null) return;
      since = page.next_since;
    }
  }

  #kubbiUrl(id: string): string {
    return `${this.baseUrl}/api/v1/kubbis/${encodeURIComponent(id)}`;
  }
}
