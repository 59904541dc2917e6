import type { LuaScript } from "./script.js";

/** Adds a batch of hits to a fixed-window counter: returns the window's total so far. */
export const RATE_LIMIT: LuaScript<number> = {
  name: "kubbiRateLimit",
  numberOfKeys: 1,
  lua: `
local counterKey = KEYS[1]         -- rl:{bucket}:<window number>
local hits = tonumber(ARGV[1])     -- hits counted locally since the last flush
local windowMs = ARGV[2]           -- window length, so the counter expires with its window

local total = redis.call('INCRBY', counterKey, hits)
if total == hits then redis.call('PEXPIRE', counterKey, windowMs) end
return total
`,
  decode: (reply) => Number(reply),
};
