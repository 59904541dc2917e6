import type { RequestRecord, StoredRequestStatus } from "./request-store.js";

/** A request's Redis hash, field by field; '' stands for null. Never a token, a key or anything delivered. */
export function requestToHash(record: RequestRecord): Record<string, string> {
  return {
    id: record.id,
    own: record.ownerId,
    who: record.requesterName,
    plan: JSON.stringify(record.plan),
    st: record.status,
    desc: record.description,
    kind: record.wanted.kind,
    mf: String(record.wanted.maxFiles),
    mb: String(record.wanted.maxBytes),
    pk: record.publicKey,
    kttl: String(record.kubbiTtlSeconds),
    kmax: record.kubbiMaxRetrievals === null ? "" : String(record.kubbiMaxRetrievals),
    cre: String(record.createdAt),
    exp: String(record.expiresAt),
    kid: record.kubbiId ?? "",
    sct: record.sealedClaimToken ?? "",
    fat: record.fulfilledAt === null ? "" : String(record.fulfilledAt),
  };
}

const orNull = (value: string | undefined) => (value ? value : null);
const numberOrNull = (value: string | undefined) => (value ? Number(value) : null);

export function hashToRequest(fillHash: string, fields: Record<string, string>): RequestRecord {
  return {
    id: fields.id ?? "",
    fillHash,
    ownerId: fields.own ?? "",
    requesterName: fields.who ?? "",
    plan: JSON.parse(fields.plan ?? "{}") as RequestRecord["plan"],
    status: fields.st as StoredRequestStatus,
    description: fields.desc ?? "",
    wanted: {
      kind: fields.kind === "files" ? "files" : "content",
      maxFiles: Number(fields.mf),
      maxBytes: Number(fields.mb),
    },
    publicKey: fields.pk ?? "",
    kubbiTtlSeconds: Number(fields.kttl),
    kubbiMaxRetrievals: numberOrNull(fields.kmax),
    createdAt: Number(fields.cre),
    expiresAt: Number(fields.exp),
    kubbiId: orNull(fields.kid),
    sealedClaimToken: orNull(fields.sct),
    fulfilledAt: numberOrNull(fields.fat),
  };
}

/** When a request's keys may go: after the latest moment its kubbi can still exist, plus the tombstone retention. */
export const requestPurgeAt = (record: RequestRecord, retentionMs: number) =>
  record.expiresAt + record.kubbiTtlSeconds * 1000 + retentionMs;
