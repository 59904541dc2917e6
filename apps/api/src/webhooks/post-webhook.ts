import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isForbiddenAddress } from "./address-policy.js";
import { type EndpointAgent, ForbiddenAddressError } from "./endpoint-agent.js";
import { hostOf } from "./url-policy.js";

/** How one attempt ended: delivered (a 2xx), or why not, in words safe to log (never the response body). */
export type AttemptResult = { delivered: true; status: number } | { delivered: false; reason: string };

export interface PostOptions {
  timeoutMs: number;
  /** KUBBI_WEBHOOK_ALLOW_PRIVATE: any address, and plain http. */
  allowPrivate: boolean;
  /** The endpoint's connection pool (endpoint-agent.ts): new connections pass the address check there. */
  agent: EndpointAgent;
}

/**
 * One POST of a signed body. Redirects are not followed (a 3xx is a failed attempt), the response body is
 * read and thrown away unseen, and the whole attempt (connect to last byte) gets timeoutMs; an attempt cut
 * off destroys its connection, so a hung response never keeps a pooled socket.
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  { timeoutMs, allowPrivate, agent }: PostOptions,
): Promise<AttemptResult> {
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
    // Aborting destroys the request's socket: a timed-out connection never goes back to the pool.
    signal: AbortSignal.timeout(timeoutMs),
    agent,
  };
  return send(url, https, options, body);
}

/**
 * Sends; when a reused connection turns out closed by the receiver meanwhile (its idle timeout raced ours),
 * sends once more within the same deadline, so a stale pooled socket does not cost a failed attempt.
 */
function send(
  url: URL,
  https: boolean,
  options: RequestOptions,
  body: string,
  retried = false,
): Promise<AttemptResult> {
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
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (request.reusedSocket && !retried && (error.code === "ECONNRESET" || error.code === "EPIPE"))
        return resolve(send(url, https, options, body, true));
      resolve({
        delivered: false,
        reason:
          error instanceof ForbiddenAddressError
            ? "forbidden address"
            : error.name === "AbortError" || error.name === "TimeoutError"
              ? "timed out"
              : (error.code ?? "connection failed"),
      });
    });
    request.end(body);
  });
}
