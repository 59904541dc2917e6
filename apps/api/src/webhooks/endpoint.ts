import type { EventType } from "../events/types.js";

/** A key's webhook endpoint as the API shows it: never the secret. */
export interface WebhookEndpoint {
  url: string;
  /** The event types delivered; null means every type (also ones added later). */
  events: EventType[] | null;
  createdAt: number;
  updatedAt: number;
}

/** As stored: the `whsec_` secret sealed under the server key ring (see secret-sealing.ts). */
export interface StoredEndpoint extends WebhookEndpoint {
  sealedSecret: Buffer;
  keyId: string;
  epoch: number;
}

export const endpointJson = (endpoint: WebhookEndpoint) => ({
  url: endpoint.url,
  events: endpoint.events,
  created_at: new Date(endpoint.createdAt).toISOString(),
  updated_at: new Date(endpoint.updatedAt).toISOString(),
});
