/**
 * Request links, the requester's and the filler's side (docs/request-links.md). The requester's key pair
 * is made here and its private half never leaves the handle; the filler seals in its own process.
 */
import { makeTransport, pickRequestOptions, type ConsumerOptions } from "./consumer.js";
import {
  claimTokenContext,
  decodeDelivery,
  deliveryContext,
  encodeDelivery,
  fromBase64Url,
  openEnvelope,
  publicKeyFingerprint,
  sealEnvelope,
  toBase64Url,
  type Delivery,
} from "./envelope.js";
import { KubbiError, KubbiUsageError } from "./errors.js";
import { toBytes } from "./files.js";
import { request, type RequestOptions } from "./request.js";
import type { ClaimedFile, ClaimResult, FileContent, JsonValue, Timestamp } from "./types.js";
import { sleep } from "./retry.js";

export type RequestStatus = "open" | "fulfilling" | "fulfilled" | "expired" | "cancelled";

export interface RequestParams {
  /** Shown to the filler: who needs what, and why. Printable text, at most 500 characters. */
  description: string;
  /** "content" (default): one text or JSON payload; "files": up to `maxFiles` files. */
  kind?: "content" | "files";
  maxFiles?: number;
  /** The most bytes a sealed delivery may have (default and ceiling: the key's plan). */
  maxBytes?: number;
  /** How long the link takes a delivery. */
  requestTtlSeconds: number;
  /** The TTL of the kubbi a delivery becomes. */
  ttlSeconds: number;
  /** Retrievals of that kubbi (default 1; null for unlimited until it expires). */
  maxRetrievals?: number | null;
}

export interface RequestState {
  id: string;
  status: RequestStatus;
  description: string;
  expiresAt: Timestamp;
  fulfilledAt: Timestamp | null;
  /** The delivery's kubbi, once fulfilled. */
  kubbiId: string | null;
}

/** What `handle.toJSON()` gives: everything needed to resume, the private key included. Keep it secret. */
export interface RequestHandleJson {
  kind: "kubbi-request-handle";
  v: 1;
  baseUrl: string;
  requestId: string;
  fillUrl: string;
  privateKey: JsonWebKey;
}

/** The wire shape of GET /api/v1/requests/:id. */
export interface WireRequest {
  id: string;
  status: RequestStatus;
  description: string;
  expires_at: string;
  fulfilled_at: string | null;
  kubbi: { id: string; sealed_claim_token: string } | null;
}

/** What a handle needs from its client: read its request, and claim a kubbi on the client's own origin. */
export interface RequestBackend {
  readonly baseUrl: string;
  getRequest(id: string, options?: RequestOptions): Promise<WireRequest>;
  claim(url: string, options?: RequestOptions): Promise<ClaimResult>;
}

export interface WaitOptions extends RequestOptions {
  /** Between status checks. Default 2000. */
  pollIntervalMs?: number;
}

export class RequestHandle {
  readonly #backend: RequestBackend;
  readonly #json: RequestHandleJson;

  constructor(backend: RequestBackend, json: RequestHandleJson) {
    this.#backend = backend;
    this.#json = json;
  }

  get id(): string {
    return this.#json.requestId;
  }

  get fillUrl(): string {
    return this.#json.fillUrl;
  }

  /** Serialisable, so another process can resume with `KubbiClient.resumeRequest(json)`. Holds the private key. */
  toJSON(): RequestHandleJson {
    return { ...this.#json, privateKey: { ...this.#json.privateKey } };
  }

  async status(options: RequestOptions = {}): Promise<RequestState> {
    return toState(await this.#backend.getRequest(this.id, options));
  }

  /** Polls until the request is fulfilled; an expired or cancelled request throws. */
  async wait(options: WaitOptions = {}): Promise<RequestState> {
    for (;;) {
      const state = await this.status(pickRequestOptions(options));
      if (state.status === "fulfilled") return state;
      if (state.status === "expired" || state.status === "cancelled") {
        throw new KubbiError(
          `The request ${state.status === "expired" ? "expired" : "was cancelled"} before anything was delivered`,
        );
      }
      await sleep(options.pollIntervalMs ?? 2000, options.signal);
    }
  }

  /**
   * Claims the delivery (a retrieval of its kubbi, by its rules) and opens it with the private key: the same
   * shapes as `claim`, a text/JSON payload or files with their bytes.
   */
  async claim(options: RequestOptions = {}): Promise<ClaimResult> {
    const wire = await this.#backend.getRequest(this.id, options);
    if (wire.status !== "fulfilled" || !wire.kubbi)
      throw new KubbiUsageError(`Nothing to claim yet: the request is ${wire.status}`);
    const tokenBytes = await openEnvelope(
      this.#json.privateKey,
      fromBase64Url(wire.kubbi.sealed_claim_token),
      claimTokenContext(this.id),
    );
    const claimToken = new TextDecoder().decode(tokenBytes);
    if (!/^[A-Za-z0-9_-]{43}$/.test(claimToken))
      throw new KubbiError("The sealed claim token did not open to a claim token");
    const claimed = await this.#backend.claim(`${this.#backend.baseUrl}/r/${claimToken}`, options);
    const sealed = claimed.type === "kubbi_package" && claimed.files.length === 1 ? claimed.files[0]! : null;
    if (!sealed) throw new KubbiError("The request's kubbi does not hold a sealed envelope");
    const delivery = decodeDelivery(await openEnvelope(this.#json.privateKey, sealed.bytes, deliveryContext(this.id)));
    const { kubbiId, metadata, createdAt, expiresAt, retrievalCount, remainingReads, burned } = claimed;
    const common = { kubbiId, metadata, createdAt, expiresAt, retrievalCount, remainingReads, burned };
    if (delivery.kind === "content") {
      const text = new TextDecoder().decode(delivery.bytes);
      const content: JsonValue = delivery.contentType === "application/json" ? (JSON.parse(text) as JsonValue) : text;
      return { ...common, type: "kubbi", content, contentType: delivery.contentType };
    }
    const files = await Promise.all(delivery.files.map(toClaimedFile));
    return {
      ...common,
      type: "kubbi_package",
      fileCount: files.length,
      totalSizeBytes: files.reduce((sum, file) => sum + file.sizeBytes, 0),
      files,
    };
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

async function toClaimedFile(file: { name: string; contentType: string; bytes: Uint8Array }): Promise<ClaimedFile> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new Uint8Array(file.bytes)));
  let text: string | null = null;
  if (/^text\/|[/+]json(;|$)/i.test(file.contentType)) {
    try {
      text = strictUtf8.decode(file.bytes);
    } catch {
      // Not UTF-8 despite a textual type: bytes only.
    }
  }
  return {
    name: file.name,
    contentType: file.contentType,
    sizeBytes: file.bytes.length,
    role: null,
    sha256: [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join(""),
    bytes: file.bytes,
    text,
  };
}

function toState(wire: WireRequest): RequestState {
  return {
    id: wire.id,
    status: wire.status,
    description: wire.description,
    expiresAt: wire.expires_at,
    fulfilledAt: wire.fulfilled_at,
    kubbiId: wire.kubbi?.id ?? null,
  };
}

export function parseHandleJson(json: RequestHandleJson | string): RequestHandleJson {
  const parsed = (typeof json === "string" ? JSON.parse(json) : json) as Partial<RequestHandleJson>;
  if (
    parsed?.kind !== "kubbi-request-handle" ||
    parsed.v !== 1 ||
    typeof parsed.requestId !== "string" ||
    typeof parsed.baseUrl !== "string" ||
    !parsed.privateKey?.d
  ) {
    throw new KubbiUsageError("Not a kubbi request handle (expected the JSON of handle.toJSON())");
  }
  return parsed as RequestHandleJson;
}

/** What a filler delivers: one text or JSON payload, or files. */
export type FulfilParams =
  | { content: string | JsonValue; contentType?: "text/plain" | "application/json" }
  | { files: Array<{ name: string; content: FileContent; contentType?: string }> };

export interface FulfilResult {
  requestId: string;
  status: "fulfilled";
  /** Bytes of the sealed envelope the server received. */
  sizeBytes: number;
}

interface WireFillInfo {
  request_id: string;
  requester: string;
  description: string;
  wanted: { kind: "content" | "files"; max_files: number; max_bytes: number };
  public_key: string;
  expires_at: string;
}

/** Splits a fill URL into the API's origin, the fill path, and the key fingerprint its fragment carries. */
function parseFillUrl(fillUrl: string): { fillEndpoint: string; fingerprint: string } {
  let url: URL;
  try {
    url = new URL(fillUrl);
  } catch {
    throw new KubbiUsageError("Not a fill URL");
  }
  const token = url.pathname.match(/\/f\/([A-Za-z0-9_-]{43})$/)?.[1];
  const fingerprint = new URLSearchParams(url.hash.slice(1)).get("k");
  if (!token || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new KubbiUsageError("Not a fill URL (expected https://host/f/<token>#k=<fingerprint>)");
  if (!fingerprint)
    throw new KubbiUsageError("The fill URL has no #k= key fingerprint: it was cut short, ask for the whole link");
  return { fillEndpoint: `${url.origin}${url.pathname}`, fingerprint };
}

/**
 * Delivers to a request link: checks the requester's public key against the link's fingerprint, seals the
 * content in this process, and posts only the envelope. Needs no API key. Never retried: a lost answer
 * could mean it was delivered, and a request takes one delivery.
 */
export async function fulfil(
  fillUrl: string,
  params: FulfilParams,
  options: Omit<ConsumerOptions, "allowedOrigins"> = {},
): Promise<FulfilResult> {
  const { fillEndpoint } = parseFillUrl(fillUrl);
  const info = await inspectFillUrl(fillUrl, options);
  const delivery = await toDelivery(params);
  if (delivery.kind !== info.wanted.kind)
    throw new KubbiUsageError(
      `This request asks for ${info.wanted.kind === "files" ? "files" : "one text or JSON payload (content)"}`,
    );
  if (delivery.kind === "files" && delivery.files.length > info.wanted.maxFiles)
    throw new KubbiUsageError(`This request takes at most ${info.wanted.maxFiles} files`);
  const envelope = await sealEnvelope(
    fromBase64Url(info.publicKey),
    encodeDelivery(delivery),
    deliveryContext(info.requestId),
  );
  if (envelope.length > info.wanted.maxBytes)
    throw new KubbiUsageError(
      `The sealed delivery is ${envelope.length} bytes; this request takes at most ${info.wanted.maxBytes}`,
    );
  const wire = await request<{ request_id: string; status: "fulfilled"; size_bytes: number }>(makeTransport(options), {
    ...pickRequestOptions(options),
    maxRetries: 0,
    method: "POST",
    url: fillEndpoint,
    rawBody: new Uint8Array(envelope),
  });
  return { requestId: wire.request_id, status: wire.status, sizeBytes: wire.size_bytes };
}

/** What an open request asks for, after checking the served public key against the fill URL's fingerprint. */
export interface FillRequestInfo {
  requestId: string;
  /** The requester key's name. */
  requester: string;
  description: string;
  wanted: { kind: "content" | "files"; maxFiles: number; maxBytes: number };
  expiresAt: Timestamp;
  /** Raw P-256 public key, base64url, already checked against the fill URL. */
  publicKey: string;
}

/** Reads a fill URL without delivering; throws if the server's public key does not match the URL's fingerprint. */
export async function inspectFillUrl(
  fillUrl: string,
  options: Omit<ConsumerOptions, "allowedOrigins"> = {},
): Promise<FillRequestInfo> {
  const { fillEndpoint, fingerprint } = parseFillUrl(fillUrl);
  const info = await request<WireFillInfo>(makeTransport(options), {
    ...pickRequestOptions(options),
    method: "GET",
    url: `${fillEndpoint}/info`,
  });
  if ((await publicKeyFingerprint(fromBase64Url(info.public_key))) !== fingerprint) {
    throw new KubbiError(
      "The requester's public key from the server does not match the fill URL's fingerprint: nothing was sent",
    );
  }
  return {
    requestId: info.request_id,
    requester: info.requester,
    description: info.description,
    wanted: { kind: info.wanted.kind, maxFiles: info.wanted.max_files, maxBytes: info.wanted.max_bytes },
    expiresAt: info.expires_at,
    publicKey: info.public_key,
  };
}

async function toDelivery(params: FulfilParams): Promise<Delivery> {
  if ("files" in params) {
    const files = await Promise.all(
      params.files.map(async (file) => ({
        name: file.name,
        contentType: file.contentType ?? (typeof file.content === "string" ? "text/plain" : "application/octet-stream"),
        bytes: typeof file.content === "string" ? new TextEncoder().encode(file.content) : await toBytes(file.content),
      })),
    );
    return { kind: "files", files };
  }
  const contentType = params.contentType ?? (typeof params.content === "string" ? "text/plain" : "application/json");
  const text =
    contentType === "application/json" && typeof params.content !== "string"
      ? JSON.stringify(params.content)
      : params.content;
  if (typeof text !== "string") throw new KubbiUsageError("text/plain content must be a string");
  return { kind: "content", contentType, bytes: new TextEncoder().encode(text) };
}

/** Builds the POST /api/v1/requests body and a handle's JSON from a fresh key pair. */
export function toWireRequest(params: RequestParams, publicKey: Uint8Array) {
  return {
    description: params.description,
    wanted: {
      kind: params.kind ?? "content",
      ...(params.maxFiles !== undefined ? { max_files: params.maxFiles } : {}),
      ...(params.maxBytes !== undefined ? { max_bytes: params.maxBytes } : {}),
    },
    public_key: toBase64Url(publicKey),
    request_ttl_seconds: params.requestTtlSeconds,
    ttl_seconds: params.ttlSeconds,
    ...(params.maxRetrievals !== undefined ? { max_retrievals: params.maxRetrievals } : {}),
  };
}
