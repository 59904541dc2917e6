import type { LuaScript } from "./script.js";

/**
 * Rolls back one committed claim that could not be answered (a payload that would not decrypt, a
 * response that could not be built), so a server-side failure never silently burns a handoff: the
 * count and stamps go back, and a burn is undone while the TTL lasts.
 */
export const RESTORE_CLAIM: LuaScript<void> = {
  name: "kubbiRestoreClaim",
  numberOfKeys: 3,
  lua: `
local metaKey = KEYS[1]       -- kb:{tokenHash}:m
local payloadKey = KEYS[2]    -- kb:{tokenHash}:d
local infoKey = KEYS[3]       -- kb:{tokenHash}:i
local sealed = ARGV[1]        -- the sealed payload the failed claim read
local sealedInfo = ARGV[2]    -- the sealed info it read ('' for none)
local wasBurned = ARGV[3]     -- '1' when that claim burned the kubbi
local previousFirst = ARGV[4] -- first_retrieved_at before that claim ('' for never)
local previousLast = ARGV[5]  -- last_retrieved_at before that claim
local nowMs = tonumber(ARGV[6])

if redis.call('EXISTS', metaKey) == 0 then return 0 end
redis.call('HINCRBY', metaKey, 'cnt', -1)
redis.call('HSET', metaKey, 'fst', previousFirst, 'lst', previousLast)
if wasBurned == '1' and redis.call('HGET', metaKey, 'st') == 'burned' then
  local expiresAt = tonumber(redis.call('HGET', metaKey, 'exp'))
  if expiresAt > nowMs then
    redis.call('SET', payloadKey, sealed, 'PX', expiresAt - nowMs)
    if sealedInfo ~= '' then redis.call('SET', infoKey, sealedInfo, 'PX', expiresAt - nowMs) end
    redis.call('HSET', metaKey, 'st', 'active')
  end
end
return 1
`,
  decode: () => undefined,
};
