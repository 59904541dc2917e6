/**
 * The SDK's public shapes: camelCase over the API's snake_case wire.
 *
 * Timestamps: every timestamp is the API's ISO 8601 UTC string with milliseconds
 * (`"2026-03-28T12:00:00.000Z"`), passed through untouched. Strings survive JSON, logs and
 * hand-offs between agents unchanged and compare correctly as text; `new Date(value)` when you need a Date.
 */
import type { WireEventType, WireFileRole, WireKubbiStatus } from "./wire.js";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Free-form producer metadata: a JSON object, at most 1 KB serialized. */
export type Metadata = { [key: string]: JsonValue };

export type KubbiStatus = WireKubbiStatus;
export type FileRole = WireFileRole;
/** ISO 8601 UTC timestamp string with milliseconds, e.g. `"2026-03-28T12:00:00.000Z"`. */
export type Timestamp = string;

interface CreateCommon {
  /** Seconds until the kubbi expires (the API accepts 60..86400). */
  ttlSeconds: number;
  /** Claims allowed before the kubbi burns; omit or null for unlimited until the TTL. */
  maxRetrievals?: number | null;
  metadata?: Metadata | null;
}

/** A single payload: text, or any JSON value (a string sent as application/json must itself be JSON text). */
export type SendParams = CreateCommon &
  ({ contentType: "text/plain"; content: string } | { contentType: "application/json"; content: JsonValue });

/** File content: text is sent as UTF-8; binary (Uint8Array or any typed array, ArrayBuffer, Blob) is base64-encoded for you. */
export type FileContent = string | ArrayBufferView | ArrayBuffer | Blob;

export interface FileInput {
  /** A plain file name: no `/` or `\`, not `.` or `..`, unique within the package. */
  name: string;
  content: FileContent;
  /** Any MIME type, e.g. `text/csv`, `image/png`. */
  contentType: string;
  role?: FileRole;
  /** Set to `"base64"` only when `content` is a string that is already base64. */
  encoding?: "base64";
}

export interface SendFilesParams extends CreateCommon {
  /** 1 to 5 files (your plan's limit). */
  files: FileInput[];
}

/** Per-call options for sends: the usual request options plus the idempotency key. */
export interface SendOptions {
  /**
   * Sent as the `Idempotency-Key` header. A fresh one is generated for every call when omitted;
   * pass your own to make a send safe to repeat across process restarts.
   */
  idempotencyKey?: string;
}

/** A file as inspect and the producer's views describe it: never its content, and never a hash of it. */
export interface FileManifestEntry {
  name: string;
  contentType: string;
  sizeBytes: number;
  role: FileRole | null;
}

/** A file of a package just sent: the manifest entry plus the SHA-256 of the bytes sent. */
export interface SentFile extends FileManifestEntry {
  /** Hex SHA-256 of the file's decoded bytes. */
  sha256: string;
}

interface CreatedCommon {
  id: string;
  /** The URL to hand to the consumer. It is the capability to read the payload: treat it as a secret. */
  claimUrl: string;
  claimToken: string;
  /** `active` for a new kubbi; an idempotent replay reports the status now (it may have burned since). */
  status: KubbiStatus;
  totalSizeBytes: number;
  maxRetrievals: number | null;
  metadata: Metadata | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

export interface SendResult extends CreatedCommon {
  type: "kubbi";
  contentType: string;
}

export interface SendFilesResult extends CreatedCommon {
  type: "kubbi_package";
  fileCount: number;
  files: SentFile[];
}

/** What both the producer's view and the consumer's inspect say about a kubbi. */
interface KubbiState {
  type: "kubbi" | "kubbi_package";
  status: KubbiStatus;
  /** Set for a single payload, null for a package. */
  contentType: string | null;
  /** Set for a package, null for a single payload. */
  fileCount: number | null;
  totalSizeBytes: number;
  maxRetrievals: number | null;
  retrievalCount: number;
  remainingReads: number | null;
  /** Null once the kubbi is gone (burned, expired, deleted): it goes with the payload. */
  metadata: Metadata | null;
  /** The manifest of a package (null for a single payload, and once the kubbi is gone). */
  files: FileManifestEntry[] | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

/** The most recent retrieval, as the API saw it. */
export interface LastClaim {
  at: Timestamp;
  /** The consumer's address (behind a trusted proxy, the forwarded one); empty when the server did not record one. */
  address: string;
  /**
   * Whatever `User-Agent` the consumer sent (control characters removed, at most 200 characters; empty
   * when none): its own claim, not proof of who it is. Escape it before showing it on a terminal.
   */
  userAgent: string;
}

export interface KubbiDetail extends KubbiState {
  id: string;
  firstRetrievedAt: Timestamp | null;
  lastRetrievedAt: Timestamp | null;
  /** Null before the first retrieval. A retrieval rolled back (`kubbi.claim_failed`) does not count. */
  lastClaim: LastClaim | null;
  /** True when the TTL ran out before a single retrieval. */
  expiredUnclaimed: boolean;
  /** Inspects of the claim URL so far (they never count as retrievals); 0 from a server that does not count them. */
  inspectCount: number;
  lastInspectedAt: Timestamp | null;
  /**
   * True when the kubbi was sealed under a server key the server no longer has: its metadata and
   * files cannot be shown, and a claim fails with decrypt_failed.
   */
  sealedWithUnknownKey: boolean;
}

export interface ListParams {
  /** 1-based (default 1). */
  page?: number;
  /** 1..100 (default 20). */
  limit?: number;
}

export interface KubbiList {
  kubbis: KubbiDetail[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

export interface DeleteResult {
  id: string;
  status: "deleted";
}

export interface InspectResult extends KubbiState {
  kubbiId: string;
  /** How to claim: POST to `url`. Counts as a retrieval. */
  claim: { url: string; method: "POST"; description: string };
}

interface ClaimedCommon {
  kubbiId: string;
  metadata: Metadata | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  retrievalCount: number;
  remainingReads: number | null;
  /** True when this claim was the last one allowed: the payload is gone now. */
  burned: boolean;
}

export interface ClaimedKubbi extends ClaimedCommon {
  type: "kubbi";
  /** Parsed JSON for `application/json`, else the text. */
  content: JsonValue;
  contentType: string;
}

export interface ClaimedFile extends FileManifestEntry {
  /** Hex SHA-256 of the bytes served, to verify what you got. */
  sha256: string;
  /** The file's bytes, always. */
  bytes: Uint8Array;
  /** The file as text when the API sent it as text (text/*, JSON, valid UTF-8); null for binary files. */
  text: string | null;
}

export interface ClaimedPackage extends ClaimedCommon {
  type: "kubbi_package";
  fileCount: number;
  totalSizeBytes: number;
  files: ClaimedFile[];
}

export type ClaimResult = ClaimedKubbi | ClaimedPackage;

/** What happened to a kubbi: `kubbi.created`, `kubbi.claimed` (every retrieval), `kubbi.burned`, `kubbi.expired`, `kubbi.deleted`, `kubbi.claim_failed`. */
export type KubbiEventType = WireEventType;

/**
 * Who made a consumer action, as the API saw it. Both are the consumer's own word (a user agent is
 * whatever the client sent): treat them as untrusted text, and escape them before showing them on a terminal.
 */
export interface KubbiEventClient {
  address: string;
  userAgent: string;
}

/** One entry of the event log. It never carries content, the claim token, file names or metadata. */
export interface KubbiEvent {
  /** Unique and ordered per API key: pass the last one you handled as `since` to resume. */
  id: string;
  type: KubbiEventType;
  occurredAt: Timestamp;
  kubbiId: string;
  /** The id of the API key that owns the kubbi. */
  keyId: string;
  /** Retrievals after this event. */
  retrievalCount: number;
  maxRetrievals: number | null;
  /** Null: unlimited until the TTL. */
  retrievalsLeft: number | null;
  /** Set for consumer actions (a claim, a failed claim); null for the producer's and the server's own. */
  client: KubbiEventClient | null;
}

export interface AllEventsParams {
  /** Start after this event id (exclusive); omit or null to start at the oldest event kept. */
  since?: string | null;
  /** Events per request, 1..1000 (default 100). */
  limit?: number;
}
