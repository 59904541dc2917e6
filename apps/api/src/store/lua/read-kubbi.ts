import { READ_STATE, hashToRecord, stateFields } from "../record-codec.js";
import { effectiveStatus, type KubbiRecord } from "../store.js";
import type { LuaScript } from "./script.js";

/**
 * One kubbi's state, whether its payload is still there and its sealed info, read in one round trip
 * (inspect, detail and each row of a list page). An inspect also counts itself on a kubbi still active
 * (inspect count, last inspected at): counted, never an event, never a retrieval.
 */
export const READ_KUBBI: LuaScript<KubbiRecord | null, { tokenHash: string; nowMs: number }> = {
  name: "kubbiRead",
  numberOfKeys: 3,
  lua: `${READ_STATE}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i
local inspectAt = ARGV[1]  -- ms of the inspect to count, or '' for a plain read

local state = readState(metaKey)
if not state then return {0, '', ''} end
local payloadPresent = redis.call('EXISTS', payloadKey)
if inspectAt ~= '' and payloadPresent == 1 and state.st == 'active' and tonumber(inspectAt) < tonumber(state.exp) then
  state.ins = tostring(tonumber(state.ins or '0') + 1)
  state.lin = inspectAt
  redis.call('HSET', metaKey, 'ins', state.ins, 'lin', inspectAt)
end
return {payloadPresent, redis.call('GET', infoKey) or '', cjson.encode(state)}
`,
  /** {payloadExists, sealedInfo or '', state as JSON or ''}: the record with its status as a reader sees it at nowMs. */
  decode(reply, { tokenHash, nowMs }) {
    const [payloadPresent, sealedInfo, state] = reply as [number, Buffer, Buffer];
    const fields = stateFields(state);
    if (fields === null) return null;
    const record = hashToRecord(tokenHash, fields, sealedInfo);
    record.status = effectiveStatus(record, payloadPresent === 1, nowMs);
    return record;
  },
};
