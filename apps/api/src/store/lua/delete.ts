import type { DeleteOutcome } from "../store.js";
import { KUBBI_EVENTS } from "./event-log.js";
import { type EmittedEvents, decodeEmitted } from "./emitted.js";
import { text, type LuaScript } from "./script.js";

/**
 * The producer's delete, atomic against claims so a race has one clean winner, with its event (deleted,
 * or expired when it finds the TTL passed) in the same step. One round trip: the owner's index lets the
 * kubbi go from the active count lazily (owner-index.ts).
 */
export const DELETE: LuaScript<EmittedEvents<DeleteOutcome>> = {
  name: "kubbiDelete",
  numberOfKeys: 3,
  lua: `${KUBBI_EVENTS}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i  goes with the payload: the tombstone keeps no names
local ownerId = ARGV[1]    -- the caller's key id: another key's kubbi is not found, never forbidden
local nowMs = tonumber(ARGV[2])
local emit, events = kubbiEvents(ARGV[3] == '1', ARGV[4], ARGV[2]) -- append here (one Redis)?, trim events before (ms)

local state = redis.call('HMGET', metaKey, 'st', 'own', 'exp')
if not state[1] or state[2] ~= ownerId then return {events, 'not_found'} end
if state[1] ~= 'active' then return {events, state[1]} end
local payloadPresent = redis.call('EXISTS', payloadKey) == 1
redis.call('DEL', payloadKey, infoKey)
if not payloadPresent or nowMs >= tonumber(state[3]) then
  redis.call('HSET', metaKey, 'st', 'expired')
  emit(metaKey, 'kubbi.expired', '', '')
  return {events, 'expired'}
end
redis.call('HSET', metaKey, 'st', 'deleted')
emit(metaKey, 'kubbi.deleted', '', '')
return {events, 'ok'}
`,
  decode(reply) {
    const [emitted, outcome] = reply as [unknown, Buffer];
    return { events: decodeEmitted(emitted), value: text(outcome) as DeleteOutcome };
  },
};
