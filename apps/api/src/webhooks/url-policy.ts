import { isIP } from "node:net";
import { isForbiddenAddress } from "./address-policy.js";

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Why a webhook URL is refused at set time, or undefined when it may be stored. Only what the URL itself
 * says is judged here (scheme, credentials, a literal address, a name that is this host); where a name
 * resolves is checked again on every connection (endpoint-agent.ts), so DNS rebinding cannot pass.
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "url must be an absolute URL (https://...)";
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:"))
    return allowPrivate ? "url must be http or https" : "url must use https";
  // Credentials in a URL end up in logs and proxies; the signature is what authenticates a delivery.
  if (url.username || url.password) return "url must not contain a user name or password";
  if (url.hash) return "url must not have a #fragment";
  if (allowPrivate) return undefined;
  const host = hostOf(url);
  if (isIP(host) !== 0 && isForbiddenAddress(host))
    return "url must not point to a loopback, private, link-local or metadata address";
  if (host === "localhost" || host.endsWith(".localhost")) return "url must not point to this host (localhost)";
  return undefined;
}

/** The URL's host as a resolver or an address check takes it: brackets off an IPv6 literal, no trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
}
