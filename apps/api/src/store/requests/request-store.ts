/**
 * Storage for request links (docs/request-links.md). Like the kubbi store it never sees a fill token
 * (only its hash), a claim token (only sealed to the requester's public key) or anything delivered.
 * The Redis and in-process implementations have the same semantics.
 */

/** "fulfilling": a delivery won the single use and its kubbi is being written (or a crash interrupted it). */
export type StoredRequestStatus = "open" | "fulfilling" | "fulfilled" | "cancelled";
export type RequestStatus = StoredRequestStatus | "expired";

import type { Plan } from "../../config.js";

export interface RequestWanted {
  kind: "content" | "files";
  maxFiles: number;
  /** The most bytes a sealed delivery may have. */
  maxBytes: number;
}

/** Times are epoch milliseconds. */
export interface RequestRecord {
  id: string;
  /** The fill token's storage hash: the request's key. */
  fillHash: string;
  ownerId: string;
  /** The requester key's name, shown to the filler as who is asking. */
  requesterName: string;
  /** The requester's plan when it asked: the delivery's kubbi is created under it. */
  plan: Plan;
  status: StoredRequestStatus;
  description: string;
  wanted: RequestWanted;
  /** Raw uncompressed P-256 point, base64url. */
  publicKey: string;
  kubbiTtlSeconds: number;
  kubbiMaxRetrievals: number | null;
  createdAt: number;
  expiresAt: number;
  /** Set when a delivery takes the request. */
  kubbiId: string | null;
  /** The resulting kubbi's claim token, sealed to the requester's public key (base64url envelope). */
  sealedClaimToken: string | null;
  fulfilledAt: number | null;
}

/** What a delivery records when it takes a request: the kubbi it becomes and that kubbi's claim token, sealed to the requester. */
export interface TakenBy {
  kubbiId: string;
  sealedClaimToken: string;
}

export type BeginFillOutcome = "ok" | "not_found" | "expired" | "cancelled" | "fulfilling" | "fulfilled";
export type CancelOutcome = "ok" | "not_found" | "expired" | "fulfilling" | "fulfilled" | "cancelled";

export interface RequestStore {
  create(record: RequestRecord, retentionMs: number): Promise<void>;
  findByFillHash(fillHash: string): Promise<RequestRecord | null>;
  /** Scoped to the owner: another key's request is not found. */
  findById(ownerId: string, id: string): Promise<RequestRecord | null>;
  /** Atomic single use: an open, unexpired request becomes "fulfilling" and records the kubbi it will become. */
  beginFill(fillHash: string, takenBy: TakenBy, nowMs: number): Promise<BeginFillOutcome>;
  /** "fulfilling" → "fulfilled" (idempotent). */
  finishFill(fillHash: string): Promise<void>;
  /** "fulfilling" → "open" again: only after the kubbi was definitely not created. */
  abortFill(fillHash: string, kubbiId: string): Promise<void>;
  cancel(fillHash: string, ownerId: string, nowMs: number): Promise<CancelOutcome>;
  close(): Promise<void>;
}

/** Status as readers see it: an open request past its expiry is expired. */
export function effectiveRequestStatus(record: RequestRecord, nowMs: number): RequestStatus {
  return record.status === "open" && nowMs >= record.expiresAt ? "expired" : record.status;
}
