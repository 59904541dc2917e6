import { storedClient } from "../events/codec.js";
import type { KubbiKind, KubbiRecord, KubbiStatus } from "./store.js";

/**
 * A kubbi's Redis hash, field by field. Short names keep a stored kubbi small; '' stands for null.
 * Only counters, timestamps and ids live here: never a payload, token, key, name or hash. The sealed
 * info (metadata and manifest) has its own key, which goes when the payload goes.
 */
export function recordToHash(record: KubbiRecord): Record<string, string> {
  return {
    id: record.id,
    own: record.ownerId,
    kind: record.kind,
    st: record.status,
    ct: record.contentType,
    fc: String(record.fileCount),
    sz: String(record.totalSizeBytes),
    max: record.maxRetrievals === null ? "" : String(record.maxRetrievals),
    cnt: String(record.retrievalCount),
    fst: record.firstRetrievedAt === null ? "" : String(record.firstRetrievedAt),
    lst: record.lastRetrievedAt === null ? "" : String(record.lastRetrievedAt),
    cip: record.lastClaimClient?.address ?? "",
    cua: record.lastClaimClient?.userAgent ?? "",
    ins: String(record.inspectCount),
    lin: record.lastInspectedAt === null ? "" : String(record.lastInspectedAt),
    cre: String(record.createdAt),
    exp: String(record.expiresAt),
    kid: record.keyId,
    ep: String(record.epoch),
  };
}

const optionalNumber = (value: string | undefined) => (value ? Number(value) : null);

export function hashToRecord(tokenHash: string, fields: Record<string, string>, sealedInfo: Buffer): KubbiRecord {
  const text = (name: string) => fields[name] ?? "";
  return {
    id: text("id"),
    tokenHash,
    ownerId: text("own"),
    kind: text("kind") as KubbiKind,
    status: text("st") as KubbiStatus,
    contentType: text("ct"),
    fileCount: Number(text("fc")),
    totalSizeBytes: Number(text("sz")),
    maxRetrievals: optionalNumber(text("max")),
    retrievalCount: Number(text("cnt")),
    firstRetrievedAt: optionalNumber(text("fst")),
    lastRetrievedAt: optionalNumber(text("lst")),
    lastClaimClient: storedClient(text("cip"), text("cua")),
    inspectCount: Number(text("ins") || "0"),
    lastInspectedAt: optionalNumber(text("lin")),
    createdAt: Number(text("cre")),
    expiresAt: Number(text("exp")),
    keyId: text("kid"),
    epoch: Number(text("ep")),
    sealedInfo,
  };
}

/**
 * Lua for the scripts that read the whole state: readState(metaKey) gives the hash as a table of strings
 * (nil when there is none), which a script may change and reply as one JSON object (cjson.encode: one
 * bulk string for the client, instead of a field and a value each). Read back with stateFields.
 */
export const READ_STATE = `
local function readState(metaKey)
  local flat = redis.call('HGETALL', metaKey)
  if #flat == 0 then return nil end
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  return fields
end
`;

/** The fields of a state replied as JSON; null for ''. */
export function stateFields(reply: Buffer): Record<string, string> | null {
  return reply.length === 0 ? null : (JSON.parse(reply.toString("utf8")) as Record<string, string>);
}
