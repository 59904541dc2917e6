import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isForbiddenAddress } from "./address-policy.js";
import { hostOf } from "./url-policy.js";

/** How one attempt ended: delivered (a 2xx), or why not, in words safe to log (never the response body). */
export type AttemptResult = { delivered: true; status: number } | { delivered: false; reason: string };

export interface PostOptions {
  timeoutMs: number;
  /** KUBBI_WEBHOOK_ALLOW_PRIVATE: any address, and plain http. */
  allowPrivate: boolean;
}

class ForbiddenAddressError extends Error {
  readonly code = "EWEBHOOKFORBIDDEN";
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A resolver for the socket itself: every address the name resolves to is checked when the connection
 * is made, so a name that answered a public address at set time cannot rebind to 127.0.0.1 later.
 */
function guardedLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "");
    if (addresses.length === 0 || addresses.some(({ address }) => isForbiddenAddress(address)))
      return callback(new ForbiddenAddressError("the webhook host resolves to a forbidden address"), "");
    if ((options as LookupAllOptions).all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * One POST of a signed body. Redirects are not followed (a 3xx is a failed attempt), the response body is
 * read and thrown away unseen, and the whole attempt (connect to last byte) gets timeoutMs.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  { timeoutMs, allowPrivate }: PostOptions,
): Promise<AttemptResult> {
  const url = new URL(target);
  const https = url.protocol === "https:";
  if (!https && !allowPrivate) return Promise.resolve({ delivered: false, reason: "not https" });
  // An address literal never reaches the resolver, so it is checked here.
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) !== 0 && isForbiddenAddress(host))
    return Promise.resolve({ delivered: false, reason: "forbidden address" });
  const options: RequestOptions = {
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "kubbi-webhooks/1",
    },
    signal: AbortSignal.timeout(timeoutMs),
    // No connection reuse: every attempt resolves and checks its address afresh.
    agent: false,
    ...(allowPrivate ? {} : { lookup: guardedLookup as unknown as RequestOptions["lookup"] }),
  };
  return new Promise((resolve) => {
    const request = (https ? httpsRequest : httpRequest)(url, options, (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      response.on("end", () =>
        resolve(
          status >= 200 && status < 300 ? { delivered: true, status } : { delivered: false, reason: `HTTP ${status}` },
        ),
      );
      response.on("error", () => resolve({ delivered: false, reason: "response cut off" }));
    });
    request.on("error", (error: NodeJS.ErrnoException) =>
      resolve({
        delivered: false,
        reason:
          error instanceof ForbiddenAddressError
            ? "forbidden address"
            : error.name === "AbortError" || error.name === "TimeoutError"
              ? "timed out"
              : (error.code ?? "connection failed"),
      }),
    );
    request.end(body);
  });
}
