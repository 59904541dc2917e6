/** Fixed-window request counter: {count in this window, ms until it resets}. */
export const RATE_LIMIT_SCRIPT = `
local counterKey = KEYS[1] -- rl:{bucket}:<window start>
local windowMs = ARGV[1]   -- window length

local count = redis.call('INCR', counterKey)
if count == 1 then redis.call('PEXPIRE', counterKey, windowMs) end
return {count, redis.call('PTTL', counterKey)}
`;
