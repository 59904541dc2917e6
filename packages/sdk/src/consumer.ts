/** The consumer side: inspect and claim need no API key; the claim URL is the capability. */
import { resolveClaimTarget, type ClaimTarget, type ClaimTargetOptions } from "./claim-target.js";
import { toClaimResult, toInspectResult } from "./convert.js";
import type { KubbiLogger } from "./log.js";
import { request, type FetchLike, type RequestOptions, type Transport } from "./request.js";
import type { ClaimResult, InspectResult } from "./types.js";
import type { WireClaim, WireInspect } from "./wire.js";

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface ConsumerOptions extends ClaimTargetOptions, RequestOptions {
  fetch?: FetchLike;
  /** Log each request (claim tokens masked) through `logger`, or `console` when none is given. */
  debug?: boolean;
  logger?: KubbiLogger;
}

export function makeTransport(
  options: { fetch?: FetchLike; maxRetries?: number; timeout?: number; debug?: boolean; logger?: KubbiLogger },
  headers: Record<string, string> = {},
): Transport {
  return {
    fetch: options.fetch,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    logger: options.debug ? (options.logger ?? console) : null,
    headers,
  };
}

export function pickRequestOptions({ signal, timeout, maxRetries }: RequestOptions): RequestOptions {
  return { signal, timeout, maxRetries };
}

function tokenPath(target: ClaimTarget): string {
  return `${target.base}/r/${encodeURIComponent(target.token)}`;
}

export async function inspectTarget(
  transport: Transport,
  target: ClaimTarget,
  options: RequestOptions,
): Promise<InspectResult> {
  const wire = await request<WireInspect>(transport, { ...options, method: "GET", url: tokenPath(target) });
  return toInspectResult(wire);
}

/**
 * Retried like any request on network failures and 502/503/504: the server commits a claim at most once,
 * so a retry after a lost response is answered with 410 (or the next retrieval when more remain) and
 * never with the same retrieval twice. That 410 is surfaced as KubbiGoneError with `attempts > 1`.
 */
export async function claimTarget(
  transport: Transport,
  target: ClaimTarget,
  options: RequestOptions,
): Promise<ClaimResult> {
  const wire = await request<WireClaim>(transport, { ...options, method: "POST", url: `${tokenPath(target)}/claim` });
  return toClaimResult(wire);
}

/** Looks at a kubbi without consuming it: metadata, status, file manifest. Never counts as a retrieval. */
export async function inspect(urlOrToken: string, options: ConsumerOptions = {}): Promise<InspectResult> {
  return inspectTarget(makeTransport(options), resolveClaimTarget(urlOrToken, options), pickRequestOptions(options));
}

/** Retrieves a kubbi's content. Counts as a retrieval; the last allowed one burns the kubbi. */
export async function claim(urlOrToken: string, options: ConsumerOptions = {}): Promise<ClaimResult> {
  return claimTarget(makeTransport(options), resolveClaimTarget(urlOrToken, options), pickRequestOptions(options));
}
