import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import type { EventType } from "../events/types.js";
import type { StoredEndpoint } from "./endpoint.js";
import { sealSecret } from "./secret-sealing.js";
import { newWebhookSecret } from "./signing.js";
import type { WebhookStore } from "./webhook-store.js";

export interface EndpointChange {
  url: string;
  events: EventType[] | null;
  /** Issue a new secret for an endpoint that has one (a new endpoint always gets one). */
  rotateSecret: boolean;
}

/**
 * Sets an owner's endpoint, shared by the producer route and the admin command. The secret is made when
 * the endpoint is created or the secret rotated, returned that once, and stored sealed; changing only
 * the URL or the types keeps the secret, so a receiver keeps verifying.
 */
export async function saveEndpoint(
  store: WebhookStore,
  sealer: KubbiSealer,
  ownerId: string,
  change: EndpointChange,
  nowMs: number,
): Promise<{ endpoint: StoredEndpoint; created: boolean; secret: string | undefined }> {
  const existing = await store.getEndpoint(ownerId);
  const secret = existing === null || change.rotateSecret ? newWebhookSecret() : undefined;
  const sealed = secret === undefined ? existing! : sealSecret(sealer, ownerId, secret, nowMs);
  const endpoint: StoredEndpoint = {
    url: change.url,
    events: change.events,
    createdAt: existing?.createdAt ?? nowMs,
    // Strictly increasing: the worker reloads an endpoint when this changes.
    updatedAt: Math.max(nowMs, (existing?.updatedAt ?? 0) + 1),
    sealedSecret: sealed.sealedSecret,
    keyId: sealed.keyId,
    epoch: sealed.epoch,
  };
  await store.setEndpoint(ownerId, endpoint);
  return { endpoint, created: existing === null, secret };
}
