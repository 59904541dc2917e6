import { KUBBI_EVENTS } from "./event-log.js";
import { type EmittedEvents, decodeEmitted } from "./emitted.js";
import type { LuaScript } from "./script.js";

/**
 * Rolls back one committed claim that could not be answered (a payload that would not decrypt, a
 * response that could not be built), so a server-side failure never silently burns a handoff: the
 * count, stamps and last client go back, a burn is undone while the TTL lasts, and a claim_failed event
 * says so in the same step.
 */
export const RESTORE_CLAIM: LuaScript<EmittedEvents<void>> = {
  name: "kubbiRestoreClaim",
  numberOfKeys: 3,
  lua: `${KUBBI_EVENTS}
local metaKey = KEYS[1]       -- kb:{tokenHash}:m
local payloadKey = KEYS[2]    -- kb:{tokenHash}:d
local infoKey = KEYS[3]       -- kb:{tokenHash}:i
local sealed = ARGV[1]        -- the sealed payload the failed claim read
local sealedInfo = ARGV[2]    -- the sealed info it read ('' for none)
local wasBurned = ARGV[3]     -- '1' when that claim burned the kubbi
local previousFirst = ARGV[4] -- first_retrieved_at before that claim ('' for never)
local previousLast = ARGV[5]  -- last_retrieved_at before that claim
local nowMs = tonumber(ARGV[6])
local previousIp = ARGV[7]    -- the client of the claim before that one ('' for none)
local previousUa = ARGV[8]
local clientIp = ARGV[9]      -- the client of the failed claim, for its claim_failed event
local clientUa = ARGV[10]
local emit, events = kubbiEvents(ARGV[11] == '1', ARGV[12], ARGV[6]) -- append here (one Redis)?, trim events before (ms)

if redis.call('EXISTS', metaKey) == 0 then return {events} end
redis.call('HINCRBY', metaKey, 'cnt', -1)
redis.call('HSET', metaKey, 'fst', previousFirst, 'lst', previousLast, 'cip', previousIp, 'cua', previousUa)
if wasBurned == '1' and redis.call('HGET', metaKey, 'st') == 'burned' then
  local expiresAt = tonumber(redis.call('HGET', metaKey, 'exp'))
  if expiresAt > nowMs then
    redis.call('SET', payloadKey, sealed, 'PX', expiresAt - nowMs)
    if sealedInfo ~= '' then redis.call('SET', infoKey, sealedInfo, 'PX', expiresAt - nowMs) end
    redis.call('HSET', metaKey, 'st', 'active')
  end
end
emit(metaKey, 'kubbi.claim_failed', clientIp, clientUa)
return {events}
`,
  decode: (reply) => ({ events: decodeEmitted((reply as [unknown])[0]), value: undefined }),
};
