/**
 * Where a consumer request goes. A full claim URL is sent to that URL's own origin, so a URL from
 * untrusted input could point the SDK at any host: `allowedOrigins` (or `baseUrl`) pins the origins
 * a URL may name, and anything else is refused before a byte is sent.
 */
import { KubbiOriginNotAllowedError, KubbiUsageError } from "./errors.js";

export interface ClaimTargetOptions {
  /** Where a bare token is sent. When set, a full claim URL must also be on this origin (or in `allowedOrigins`). */
  baseUrl?: string;
  /** Origins a full claim URL may point at, e.g. `["https://api.kubbi.ai"]`. Any other origin is refused. */
  allowedOrigins?: readonly string[];
}

export interface ClaimTarget {
  /** Origin plus any path prefix before `/r/`, without a trailing slash. */
  base: string;
  token: string;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;
const CLAIM_PATH = /^(.*?)\/r\/([A-Za-z0-9_-]+)(?:\/(?:inspect|claim))?\/?$/;
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function resolveClaimTarget(urlOrToken: string, options: ClaimTargetOptions = {}): ClaimTarget {
  const input = urlOrToken.trim();
  if (!HAS_SCHEME.test(input)) {
    if (!TOKEN.test(input))
      throw new KubbiUsageError("Expected a claim URL (https://…/r/<token>) or a bare claim token");
    if (options.baseUrl === undefined) {
      throw new KubbiUsageError(
        "A bare claim token needs a baseUrl to know which kubbi API to ask; pass { baseUrl } or the full claim URL",
      );
    }
    return { base: normalizeBaseUrl(options.baseUrl), token: input };
  }

  const url = parseUrl(input, "claim URL");
  const match = CLAIM_PATH.exec(url.pathname);
  if (!match) throw new KubbiUsageError("Not a claim URL: expected a path ending in /r/<token>");
  const allowed = allowedOriginsOf(options);
  if (allowed.length > 0 && !allowed.includes(url.origin)) throw new KubbiOriginNotAllowedError(url.origin, allowed);
  return { base: url.origin + match[1], token: match[2]! };
}

/** A base URL without its trailing slash; only http and https. */
export function normalizeBaseUrl(baseUrl: string): string {
  const url = parseUrl(baseUrl, "baseUrl");
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

function allowedOriginsOf(options: ClaimTargetOptions): string[] {
  const origins = (options.allowedOrigins ?? []).map((origin) => parseUrl(origin, "allowed origin").origin);
  if (options.baseUrl !== undefined) origins.push(parseUrl(options.baseUrl, "baseUrl").origin);
  return [...new Set(origins)];
}

function parseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KubbiUsageError(`Invalid ${what}: ${what === "claim URL" ? "(not shown)" : value}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubbiUsageError(`Invalid ${what}: only http and https are supported`);
  }
  return url;
}
