import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { isForbiddenAddress } from "./address-policy.js";

/**
 * How long a connection to an endpoint stays open unused. Short: long enough to carry a burst of events
 * (and a backlog) over a few connections, short enough that an endpoint gone quiet holds no socket.
 */
export const IDLE_CONNECTION_MS = 4_000;

export class ForbiddenAddressError extends Error {
  readonly code = "EWEBHOOKFORBIDDEN";
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A resolver for the socket itself: every address the name resolves to is checked when a connection is
 * opened, so a name that answered a public address at set time cannot rebind to 127.0.0.1 later. A pooled
 * connection was checked when it was opened, and DNS cannot move an open socket.
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

export interface AgentOptions {
  /** KUBBI_WEBHOOK_MAX_IN_FLIGHT: connections to the endpoint at most, busy or idle. */
  maxSockets: number;
  /** KUBBI_WEBHOOK_ALLOW_PRIVATE: no address check at connect time. */
  allowPrivate: boolean;
}

export type EndpointAgent = HttpAgent | HttpsAgent;

/**
 * The connection pool of one endpoint (one per owner being delivered, dropped with its endpoint): keep-alive
 * connections, at most maxSockets of them, each opened through the address check unless private targets are
 * allowed, closed after IDLE_CONNECTION_MS unused.
 */
export function endpointAgent(url: URL, { maxSockets, allowPrivate }: AgentOptions): EndpointAgent {
  const options = {
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    // Idle sockets only: an attempt under way is bounded by its own timeout (post-webhook.ts).
    timeout: IDLE_CONNECTION_MS,
    // The most recently used connection first, so connections a burst no longer needs go idle and close.
    scheduling: "lifo" as const,
    ...(allowPrivate ? {} : { lookup: guardedLookup as unknown as LookupFunction }),
  };
  return url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
}
