import { text, type LuaScript } from "./script.js";

/**
 * The expiry scheduler's reads and writes in the owner's slot (store/redis.ts expireDue). The owner's
 * expiry zset (own:{ownerId}:e, scored by expires_at) already lists what expires when; a per-owner cursor
 * (own:{ownerId}:ec, ms) marks how far it has been processed, so no process scans the keyspace or the
 * whole zset, and a crash before the cursor moves only means the next look processes the batch again
 * (the kubbi step, EXPIRE_KUBBI, emits only for the process that moves a kubbi).
 */

/**
 * The kubbis due past the cursor, up to a batch: {cursorAfter, tokenHash...}. A full batch is extended by
 * every kubbi expiring in its last millisecond, so moving the cursor to cursorAfter skips none.
 */
export const DUE_EXPIRIES: LuaScript<{ cursorAfter: number; tokenHashes: string[] }> = {
  name: "kubbiDueExpiries",
  numberOfKeys: 2,
  lua: `
local expiryKey = KEYS[1]      -- own:{ownerId}:e   zset tokenHash by expires_at
local cursorKey = KEYS[2]      -- own:{ownerId}:ec  ms up to which expiries were processed
local nowMs = tonumber(ARGV[1])
local batch = tonumber(ARGV[2])

local cursor = tonumber(redis.call('GET', cursorKey) or '0')
local due = redis.call('ZRANGEBYSCORE', expiryKey, '(' .. cursor, nowMs, 'WITHSCORES', 'LIMIT', 0, batch)
if #due == 0 then return {cursor} end
local last = due[#due]
local reply = {last}
for i = 1, #due, 2 do
  if due[i + 1] ~= last then reply[#reply + 1] = due[i] end
end
for _, tokenHash in ipairs(redis.call('ZRANGEBYSCORE', expiryKey, last, last)) do reply[#reply + 1] = tokenHash end
return reply
`,
  decode(reply) {
    const [cursorAfter, ...tokenHashes] = reply as Buffer[];
    return { cursorAfter: Number(text(cursorAfter)), tokenHashes: tokenHashes.map(text) };
  },
};

/**
 * Moves the cursor forward (never back: another process may be further along). It lives as long as the
 * entries behind it: once those are purged from the zset, a scan from 0 finds what a scan from it would.
 */
export const ADVANCE_EXPIRY_CURSOR: LuaScript<void> = {
  name: "kubbiAdvanceExpiryCursor",
  numberOfKeys: 1,
  lua: `
local cursorKey = KEYS[1]      -- own:{ownerId}:ec
local processedTo = ARGV[1]    -- ms: every expiry up to here was processed
local retentionMs = tonumber(ARGV[2]) -- how long a tombstone (and its zset entry) outlives expiry
if tonumber(processedTo) > tonumber(redis.call('GET', cursorKey) or '0') then
  redis.call('SET', cursorKey, processedTo, 'PXAT', tonumber(processedTo) + retentionMs + 1)
end
return 1
`,
  decode: () => undefined,
};
