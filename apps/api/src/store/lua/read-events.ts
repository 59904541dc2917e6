import type { LuaScript } from "./script.js";

/** An entry as XRANGE replies it: [id, [field, value, ...]]. */
export type RawEntry = [Buffer, Buffer[]];

/**
 * One kubbi's events after afterId, up to limit + 1 (so the caller knows whether there are more): the
 * event ids after the token hash in its id key, each read from the owner's stream; an id the stream has
 * trimmed is skipped. A kubbi made before its ids moved into the id key (2026-12-02) has its earlier ids in
 * a list of their own (own:{ownerId}:kev:<id>, gone at its purge time): read first, so an upgrade loses none.
 */
export const KUBBI_EVENT_ENTRIES: LuaScript<RawEntry[]> = {
  name: "kubbiEventEntries",
  numberOfKeys: 3,
  lua: `
local streamKey = KEYS[1]   -- own:{ownerId}:ev          the owner's events
local idKey = KEYS[2]       -- own:{ownerId}:id:<id>     "tokenHash id id ...", oldest first
local earlierKey = KEYS[3]  -- own:{ownerId}:kev:<id>    a list: the ids an older version kept, oldest first
local afterId = ARGV[1]     -- an event id, or '' for the first
local wanted = tonumber(ARGV[2])

local function parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local afterMs, afterSeq = -1, -1
if afterId ~= '' then afterMs, afterSeq = parts(afterId) end
local ids = redis.call('LRANGE', earlierKey, 0, -1)
for id in string.gmatch(redis.call('GET', idKey) or '', ' (%d+%-%d+)') do ids[#ids + 1] = id end
local reply = {}
for _, id in ipairs(ids) do
  local ms, seq = parts(id)
  if ms > afterMs or (ms == afterMs and seq > afterSeq) then
    local entry = redis.call('XRANGE', streamKey, id, id)
    if entry[1] then reply[#reply + 1] = entry[1] end
    if #reply >= wanted then break end
  end
end
return reply
`,
  decode: (reply) => reply as RawEntry[],
};
