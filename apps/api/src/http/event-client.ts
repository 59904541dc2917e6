import type { Request } from "express";
import type { EventClient } from "../store/store.js";

/** The most a user agent keeps in an event and on the kubbi (EVENTS.md). */
const USER_AGENT_MAX_CHARACTERS = 200;

/**
 * Who a consumer action came from, as events and the producer's view name it: the address Express
 * resolved (behind KUBBI_TRUST_PROXY, the forwarded one; an IPv4-mapped IPv6 address as IPv4) and the
 * User-Agent without control characters (no terminal escapes or forged log lines), at most 200 characters.
 */
export function eventClientOf(req: Request): EventClient {
  const address = req.ip ?? "";
  return {
    address: /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address,
    userAgent: keptUserAgent(req.headers["user-agent"] ?? ""),
  };
}

/**
 * The common User-Agent (at most 200 UTF-16 units, so at most 200 characters, and no control character)
 * is kept as it is; only another is split into characters, which costs an array per request.
 */
function keptUserAgent(userAgent: string): string {
  if (userAgent.length <= USER_AGENT_MAX_CHARACTERS && !/\p{Cc}/u.test(userAgent)) return userAgent;
  return Array.from(userAgent.replace(/\p{Cc}/gu, ""))
    .slice(0, USER_AGENT_MAX_CHARACTERS)
    .join("");
}
