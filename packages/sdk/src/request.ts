/**
 * The one request function every method goes through: a fresh AbortController and timeout per attempt,
 * the caller's AbortSignal honoured throughout, known-transient failures retried, and every failure
 * turned into the matching KubbiError.
 */
import { apiErrorFor, KubbiApiError, KubbiNetworkError, KubbiTimeoutError, type KubbiError } from "./errors.js";
import { maskClaimToken, type KubbiLogger } from "./log.js";
import { isTransientStatus, parseRetryAfter, retryDelayMs, sleep } from "./retry.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What a client or a consumer call carries to every request it makes. */
export interface Transport {
  /** Resolved at call time when absent, so a fetch patched after construction is still used. */
  fetch: FetchLike | undefined;
  maxRetries: number;
  /** Per attempt, in milliseconds. */
  timeout: number;
  /** Set only in debug mode. */
  logger: KubbiLogger | null;
  headers: Record<string, string>;
}

/** Per-call overrides every method accepts as its last argument. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Per attempt, in milliseconds. */
  timeout?: number;
  maxRetries?: number;
}

export interface RequestSpec extends RequestOptions {
  method: "GET" | "POST" | "DELETE";
  url: string;
  body?: unknown;
  /** Bytes sent as they are (application/octet-stream) instead of a JSON body. */
  rawBody?: Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

interface ErrorEnvelope {
  error?: unknown;
  message?: unknown;
  messages?: unknown;
  request_id?: unknown;
}

export async function request<T>(transport: Transport, spec: RequestSpec): Promise<T> {
  const maxRetries = spec.maxRetries ?? transport.maxRetries;
  const timeout = spec.timeout ?? transport.timeout;
  const fetchImpl = transport.fetch ?? globalThis.fetch;
  const log = transport.logger;
  const shownUrl = maskClaimToken(spec.url);
  const headers: Record<string, string> = { accept: "application/json", ...transport.headers, ...spec.headers };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (spec.rawBody !== undefined) {
    body = spec.rawBody;
    headers["content-type"] = "application/octet-stream";
  } else if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers["content-type"] = "application/json";
  }

  for (let attempt = 1; ; attempt++) {
    spec.signal?.throwIfAborted();
    const canRetry = attempt <= maxRetries;
    const started = Date.now();
    log?.debug(`kubbi → ${spec.method} ${shownUrl}`, { attempt });

    let failure: KubbiError;
    let retryAfterMs: number | null = null;
    const attemptResult = await attemptOnce(fetchImpl, spec, headers, body, timeout);
    if (attemptResult.kind === "response") {
      const { response, text } = attemptResult;
      log?.debug(`kubbi ← ${response.status} ${spec.method} ${shownUrl}`, {
        attempt,
        ms: Date.now() - started,
        requestId: response.headers.get("x-request-id"),
      });
      if (isRedirect(response)) throw redirectError(response, spec.url, attempt);
      if (response.ok) return parseSuccess<T>(response, text, attempt);
      retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const error = toApiError(response, text, attempt, retryAfterMs);
      if (!canRetry || !isTransientStatus(error.status, error.code)) throw error;
      failure = error;
    } else if (attemptResult.kind === "aborted") {
      throw attemptResult.reason;
    } else {
      failure =
        attemptResult.kind === "timeout"
          ? new KubbiTimeoutError(`${spec.method} ${shownUrl} got no response within ${timeout} ms`, {
              attempts: attempt,
            })
          : new KubbiNetworkError(`${spec.method} ${shownUrl} failed: ${describe(attemptResult.cause)}`, {
              cause: attemptResult.cause,
              attempts: attempt,
            });
      log?.debug(`kubbi ✗ ${spec.method} ${shownUrl}: ${failure.message}`, { attempt });
      if (!canRetry) throw failure;
    }

    const delay = retryDelayMs(attempt, retryAfterMs);
    if (delay === null) throw failure;
    log?.debug(`kubbi retrying ${spec.method} ${shownUrl} in ${delay} ms`, { attempt, reason: failure.message });
    await sleep(delay, spec.signal);
  }
}

type AttemptResult =
  | { kind: "response"; response: Response; text: string }
  | { kind: "timeout" }
  | { kind: "aborted"; reason: unknown }
  | { kind: "network"; cause: unknown };

/** One attempt, body included: the timeout covers reading the body as well as the headers. */
async function attemptOnce(
  fetchImpl: FetchLike,
  spec: RequestSpec,
  headers: Record<string, string>,
  body: string | Uint8Array<ArrayBuffer> | undefined,
  timeout: number,
): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  const onCallerAbort = () => controller.abort(spec.signal!.reason);
  spec.signal?.addEventListener("abort", onCallerAbort, { once: true });
  try {
    // Never followed: a claim URL from untrusted input must not bounce the SDK to a host nobody allowed.
    const response = await fetchImpl(spec.url, {
      method: spec.method,
      headers,
      body,
      signal: controller.signal,
      redirect: "manual",
    });
    const text = await response.text();
    return { kind: "response", response, text };
  } catch (cause) {
    if (spec.signal?.aborted) return { kind: "aborted", reason: spec.signal.reason };
    if (timedOut) return { kind: "timeout" };
    return { kind: "network", cause };
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener("abort", onCallerAbort);
  }
}

/** A 3xx, or the opaque redirect a browser's fetch gives for one under `redirect: "manual"`. */
function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
}

/** Names only the target's origin: its path may carry a token. */
function redirectError(response: Response, url: string, attempt: number): KubbiApiError {
  const location = response.headers.get("location");
  let target = "a location not shown";
  try {
    if (location !== null) target = new URL(location, url).origin;
  } catch {
    // An unparseable Location: say nothing about it.
  }
  return new KubbiApiError({
    status: response.status,
    code: "redirect",
    message: `${new URL(url).origin} answered with a redirect to ${target}; the SDK never follows redirects (use the kubbi API's own URL)`,
    requestId: response.headers.get("x-request-id"),
    attempts: attempt,
  });
}

/** The body is never echoed into the error: the server may not be the kubbi API, and its body may not be ours to show. */
function parseSuccess<T>(response: Response, text: string, attempt: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new KubbiApiError({
      status: response.status,
      code: "invalid_response",
      message: `HTTP ${response.status} with a body that is not JSON: not the kubbi API`,
      requestId: response.headers.get("x-request-id"),
      attempts: attempt,
    });
  }
}

function toApiError(response: Response, text: string, attempt: number, retryAfterMs: number | null): KubbiApiError {
  const envelope = parseEnvelope(text);
  const requestId =
    typeof envelope?.request_id === "string" ? envelope.request_id : response.headers.get("x-request-id");
  return apiErrorFor({
    status: response.status,
    code: envelope?.error ?? `http_${response.status}`,
    message: envelope?.message ?? `HTTP ${response.status} without a kubbi API error body`,
    messages: Array.isArray(envelope?.messages)
      ? envelope.messages.filter((m): m is string => typeof m === "string")
      : [],
    requestId,
    retryAfter: retryAfterMs === null ? null : retryAfterMs / 1000,
    attempts: attempt,
  });
}

/**
 * The API's own error envelope ({error, message, ...}), or null for any other body: a proxy's HTML page,
 * or whatever a service that an untrusted URL pointed at answered. Only the envelope is ever quoted in an
 * error, so a response body never leaks into one.
 */
function parseEnvelope(text: string): (ErrorEnvelope & { error: string; message: string }) | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const envelope = parsed && typeof parsed === "object" ? (parsed as ErrorEnvelope) : {};
    return typeof envelope.error === "string" && typeof envelope.message === "string"
      ? { ...envelope, error: envelope.error, message: envelope.message }
      : null;
  } catch {
    return null;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ...) is in its cause.
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}
