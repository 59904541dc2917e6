/**
 * One error tree. Every error the SDK throws is a KubbiError; HTTP answers are KubbiApiError subclasses,
 * and a request that got no answer is a KubbiNetworkError (a KubbiTimeoutError when the SDK gave up waiting).
 *
 * `instanceof` and the `is*` guards work across realms and across duplicate copies of the package
 * (an ESM and a CJS copy in one process): each error carries a registry-symbol brand listing its kinds.
 */
const BRAND = Symbol.for("@kubbi.ai/sdk/error-kinds");

type Branded = { [BRAND]?: readonly string[] };

function hasKind(value: unknown, kind: string): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const kinds = (value as Branded)[BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

/** The reason a kubbi is gone (HTTP 410). */
export type KubbiGoneReason = "burned" | "expired" | "deleted" | "cancelled";

export class KubbiError extends Error {
  static readonly kind: string = "KubbiError";
  declare readonly [BRAND]: readonly string[];

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const kinds: string[] = [];
    for (
      let ctor = new.target as unknown;
      typeof ctor === "function" && "kind" in ctor;
      ctor = Object.getPrototypeOf(ctor)
    ) {
      const kind = (ctor as { kind: string }).kind;
      if (!kinds.includes(kind)) kinds.push(kind);
    }
    Object.defineProperty(this, BRAND, { value: Object.freeze(kinds), enumerable: false });
    // The class names survive minification this way, so logs still say which error it was.
    this.name = kinds[0] ?? "KubbiError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasKind(value, this.kind);
  }
}

/** The caller asked for something the SDK can refuse before sending (no API key, a claim URL off the allowed origins, ...). */
export class KubbiUsageError extends KubbiError {
  static override readonly kind: string = "KubbiUsageError";
}

/** A claim URL whose origin is not one the caller allowed. Nothing was sent. */
export class KubbiOriginNotAllowedError extends KubbiUsageError {
  static override readonly kind: string = "KubbiOriginNotAllowedError";
  constructor(
    readonly origin: string,
    readonly allowedOrigins: readonly string[],
  ) {
    super(
      `Refusing to contact ${origin}: the claim URL's origin is not one of the allowed origins (${allowedOrigins.join(", ")}).`,
    );
  }
}

export interface KubbiApiErrorInit {
  status: number;
  code: string;
  message: string;
  messages?: readonly string[];
  requestId?: string | null;
  retryAfter?: number | null;
  attempts?: number;
}

/** The API answered with a non-2xx status. `code` is the API's error code (WIRE.md), `message` its message. */
export class KubbiApiError extends KubbiError {
  static override readonly kind: string = "KubbiApiError";
  /** HTTP status code. */
  readonly status: number;
  /** The API's error code, e.g. `not_found`, `burned`, `rate_limited`. */
  readonly code: string;
  /** Every validation message (empty unless the API listed several problems). */
  readonly messages: readonly string[];
  /** The request id from the error body or the `X-Request-Id` header, for support and logs. */
  readonly requestId: string | null;
  /** How many attempts the SDK made, this one included (more than 1 means an earlier attempt got no usable answer). */
  readonly attempts: number;

  constructor(init: KubbiApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.messages = Object.freeze([...(init.messages ?? [])]);
    this.requestId = init.requestId ?? null;
    this.attempts = init.attempts ?? 1;
  }
}

/** 404: unknown id or token (or another key's kubbi). */
export class KubbiNotFoundError extends KubbiApiError {
  static override readonly kind: string = "KubbiNotFoundError";
}

/** 410: the kubbi existed but is gone; `reason` says why. */
export class KubbiGoneError extends KubbiApiError {
  static override readonly kind: string = "KubbiGoneError";
  readonly reason: KubbiGoneReason;
  constructor(init: KubbiApiErrorInit) {
    super(init);
    this.reason =
      init.code === "expired" || init.code === "deleted" || init.code === "cancelled" ? init.code : "burned";
  }
}

/** 400 or 422: the request was rejected as invalid; `messages` lists every problem. */
export class KubbiValidationError extends KubbiApiError {
  static override readonly kind: string = "KubbiValidationError";
}

/** 401 or 403: the API key is missing, malformed, unknown or revoked. */
export class KubbiAuthenticationError extends KubbiApiError {
  static override readonly kind: string = "KubbiAuthenticationError";
}

/** 413 or 429: a plan limit or the rate limit. `retryAfter` is in seconds when the API said when to come back. */
export class KubbiQuotaExceededError extends KubbiApiError {
  static override readonly kind: string = "KubbiQuotaExceededError";
  readonly retryAfter: number | null;
  constructor(init: KubbiApiErrorInit) {
    super(init);
    this.retryAfter = init.retryAfter ?? null;
  }
}

/** No HTTP answer arrived: DNS, connection refused or reset, TLS. */
export class KubbiNetworkError extends KubbiError {
  static override readonly kind: string = "KubbiNetworkError";
  readonly attempts: number;
  constructor(message: string, options: { cause?: unknown; attempts?: number } = {}) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts ?? 1;
  }
}

/** No HTTP answer arrived within the per-attempt timeout. */
export class KubbiTimeoutError extends KubbiNetworkError {
  static override readonly kind: string = "KubbiTimeoutError";
}

/** Maps an error response to the most specific class. */
export function apiErrorFor(init: KubbiApiErrorInit): KubbiApiError {
  switch (init.status) {
    case 404:
      return new KubbiNotFoundError(init);
    case 410:
      return new KubbiGoneError(init);
    case 400:
    case 422:
      return new KubbiValidationError(init);
    case 401:
    case 403:
      return new KubbiAuthenticationError(init);
    case 413:
    case 429:
      return new KubbiQuotaExceededError(init);
    default:
      return new KubbiApiError(init);
  }
}

function guard<T>(kind: string): (value: unknown) => value is T {
  return (value: unknown): value is T => hasKind(value, kind);
}

export const isKubbiError = guard<KubbiError>(KubbiError.kind);
export const isKubbiUsageError = guard<KubbiUsageError>(KubbiUsageError.kind);
export const isKubbiOriginNotAllowedError = guard<KubbiOriginNotAllowedError>(KubbiOriginNotAllowedError.kind);
export const isKubbiApiError = guard<KubbiApiError>(KubbiApiError.kind);
export const isKubbiNotFoundError = guard<KubbiNotFoundError>(KubbiNotFoundError.kind);
export const isKubbiGoneError = guard<KubbiGoneError>(KubbiGoneError.kind);
export const isKubbiValidationError = guard<KubbiValidationError>(KubbiValidationError.kind);
export const isKubbiAuthenticationError = guard<KubbiAuthenticationError>(KubbiAuthenticationError.kind);
export const isKubbiQuotaExceededError = guard<KubbiQuotaExceededError>(KubbiQuotaExceededError.kind);
export const isKubbiNetworkError = guard<KubbiNetworkError>(KubbiNetworkError.kind);
export const isKubbiTimeoutError = guard<KubbiTimeoutError>(KubbiTimeoutError.kind);
