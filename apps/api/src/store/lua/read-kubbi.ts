import { STATE_AS_JSON, hashToRecord, stateFields } from "../record-codec.js";
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
  lua: `${STATE_AS_JSON}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i
local inspectAt = ARGV[1]  -- ms of the inspect to count, or '' for a plain read

local reply = {redis.call('EXISTS', payloadKey), redis.call('GET', infoKey) or ''}
if inspectAt ~= '' and reply[1] == 1 and redis.call('HGET', metaKey, 'st') == 'active'
    and tonumber(inspectAt) < tonumber(redis.call('HGET', metaKey, 'exp')) then
  redis.call('HINCRBY', metaKey, 'ins', 1)
  redis.call('HSET', metaKey, 'lin', inspectAt)
end
reply[3] = stateAsJson(metaKey)
return reply
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
