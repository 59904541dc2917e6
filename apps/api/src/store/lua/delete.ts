import type { DeleteOutcome } from "../store.js";
import { text, type LuaScript } from "./script.js";

/**
 * The producer's delete, atomic against claims so a race has one clean winner. One round trip: the
 * owner's index lets the kubbi go from the active count lazily (owner-index.ts).
 */
export const DELETE: LuaScript<DeleteOutcome> = {
  name: "kubbiDelete",
  numberOfKeys: 3,
  lua: `
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i  goes with the payload: the tombstone keeps no names
local ownerId = ARGV[1]    -- the caller's key id: another key's kubbi is not found, never forbidden
local nowMs = tonumber(ARGV[2])

local state = redis.call('HMGET', metaKey, 'st', 'own', 'exp')
if not state[1] or state[2] ~= ownerId then return 'not_found' end
if state[1] ~= 'active' then return state[1] end
local payloadPresent = redis.call('EXISTS', payloadKey) == 1
redis.call('DEL', payloadKey, infoKey)
if not payloadPresent or nowMs >= tonumber(state[3]) then
  redis.call('HSET', metaKey, 'st', 'expired')
  return 'expired'
end
redis.call('HSET', metaKey, 'st', 'deleted')
return 'ok'
`,
  decode: (reply) => text(reply) as DeleteOutcome,
};
