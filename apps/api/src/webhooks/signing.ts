import { createHmac, randomBytes } from "node:crypto";

/** Standard Webhooks secrets: `whsec_` then the base64 of the key bytes (24 random bytes, as the spec's examples). */
const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 24;

export const newWebhookSecret = (): string => `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;

/** The HMAC key a `whsec_` secret stands for. */
export function secretKeyBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/** The three Standard Webhooks headers for one attempt: the id is the same on every retry, the timestamp is the attempt's. */
export interface SignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (https://www.standardwebhooks.com). */
export function signWebhook(
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  body: string,
): SignatureHeaders {
  const signed = `${webhookId}.${timestampSeconds}.${body}`;
  const signature = createHmac("sha256", secretKeyBytes(secret)).update(signed, "utf8").digest("base64");
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
