import type { Event, EventType } from "@kubbi/openapi";
import { base64ToBytes } from "./base64.js";
import { KubbiError } from "./errors.js";

/** A webhook's body once verified: the Standard Webhooks type / timestamp / data, data being the event. */
export interface KubbiWebhookEvent {
  type: EventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Event;
}

export interface VerifyWebhookOptions {
  /** How far webhook-timestamp may be from now, either way; 300 seconds by default (as the standardwebhooks libraries). */
  toleranceSeconds?: number;
  /** The clock, in epoch milliseconds (for tests). */
  now?: () => number;
}

/** The webhook did not verify: a missing header, a bad or stale timestamp, or no matching signature. Do not act on it. */
export class KubbiWebhookVerificationError extends KubbiError {
  static override readonly kind: string = "KubbiWebhookVerificationError";
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = "whsec_";

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(" ") : value;
}

/** Equal lengths compared byte by byte without an early exit, so timing tells nothing about where they differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return base64ToBytes(text);
  } catch {
    return undefined;
  }
}

/**
 * Verifies a kubbi webhook per the Standard Webhooks specification and returns its parsed body: the
 * HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the `whsec_` secret must match one of the
 * `v1,` signatures, and the timestamp must be within the tolerance (replays of old deliveries fail).
 * Pass the raw body as received (a string or bytes), before any JSON parsing. Web Crypto only, so it runs
 * in Node 20+, Deno, Bun and Workers. De-duplicate on `webhook-id`: a delivery may come more than once.
 */
export async function verifyWebhook(
  body: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<KubbiWebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new KubbiWebhookVerificationError(
      "The webhook-id, webhook-timestamp or webhook-signature header is missing.",
    );
  const seconds = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(seconds) || Math.abs(nowSeconds - seconds) > tolerance)
    throw new KubbiWebhookVerificationError("The webhook timestamp is missing, too old or too far in the future.");

  const keyBytes = decodeBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!keyBytes || keyBytes.length === 0)
    throw new KubbiWebhookVerificationError("The webhook secret is not a whsec_ secret.");
  const bodyBytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bodyBytes.length);
  signed.set(prefix);
  signed.set(bodyBytes, prefix.length);
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));

  const matched = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",", 2);
    const candidate = version === "v1" && signature ? decodeBase64(signature) : undefined;
    return candidate !== undefined && constantTimeEqual(candidate, expected);
  });
  if (!matched)
    throw new KubbiWebhookVerificationError("No webhook signature matches: wrong secret, or the body was changed.");
  return JSON.parse(new TextDecoder().decode(bodyBytes)) as KubbiWebhookEvent;
}
