import { KUBBI_EVENTS } from "./event-log.js";
import { type EmittedEvents, decodeEmitted } from "./emitted.js";
import type { LuaScript } from "./script.js";

/**
 * The expiry scheduler's step for one kubbi (its own slot): active and past its TTL (or its payload
 * gone) → expired, with its event. Atomic, so when several API processes look at the same kubbi only
 * the first moves it and emits: replies {events, 1} for the winner, {events, 0} otherwise.
 */
export const EXPIRE_KUBBI: LuaScript<EmittedEvents<boolean>> = {
  name: "kubbiExpire",
  numberOfKeys: 3,
  lua: `${KUBBI_EVENTS}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m
local payloadKey = KEYS[2] -- kb:{tokenHash}:d
local infoKey = KEYS[3]    -- kb:{tokenHash}:i
local nowMs = tonumber(ARGV[1])
local emit, events = kubbiEvents(ARGV[2] == '1', ARGV[3], ARGV[1]) -- append here (one Redis)?, trim events before (ms)

local state = redis.call('HMGET', metaKey, 'st', 'exp')
if state[1] ~= 'active' then return {events, 0} end
if nowMs < tonumber(state[2]) and redis.call('EXISTS', payloadKey) == 1 then return {events, 0} end
redis.call('HSET', metaKey, 'st', 'expired')
redis.call('DEL', payloadKey, infoKey)
emit(metaKey, 'kubbi.expired', '', '')
return {events, 1}
`,
  decode(reply) {
    const [emitted, moved] = reply as [unknown, number];
    return { events: decodeEmitted(emitted), value: Number(moved) === 1 };
  },
};
