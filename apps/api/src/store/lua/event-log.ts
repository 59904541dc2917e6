import { eventStreamKey, idKey } from "../keys.js";
import type { LuaScript } from "./script.js";

/**
 * The event log's Lua (EVENTS.md), shared by every script that writes events. addEntry adds one entry
 * {type, kubbi id, at, count, max, ip, ua} to the owner's stream, trimmed by time (MINID ~); field names
 * as in events/codec.ts. A kubbi's event ids follow its token hash in its id key (keys.ts), which the
 * create writes with the created event's id; appendEvents adds a script's entries and their ids:
 * - while the kubbi lives on, with APPEND (constant time however many claims an unlimited kubbi gets);
 * - with its last events (burned, deleted, expired), by writing the key again at its exact size, keeping
 *   its expiry: APPEND leaves a string room to grow, about twice its size, which a tombstone would keep
 *   for the whole retention.
 * An id key already purged is not made again.
 */
const APPEND_EVENTS_FUNCTION = `
local ENDING = {['kubbi.burned'] = true, ['kubbi.deleted'] = true, ['kubbi.expired'] = true}
local function addEntry(streamKey, minId, entry)
  return redis.call('XADD', streamKey, 'MINID', '~', minId, '*', 't', entry[1], 'k', entry[2], 'at', entry[3],
    'n', entry[4], 'm', entry[5], 'ip', entry[6], 'ua', entry[7])
end
local function appendEvents(streamKey, idKey, minId, entries)
  local ids = {}
  for i, entry in ipairs(entries) do ids[i] = addEntry(streamKey, minId, entry) end
  local appended = ' ' .. table.concat(ids, ' ')
  if ENDING[entries[#entries][1]] then
    local indexed = redis.call('GET', idKey)
    if indexed then redis.call('SET', idKey, indexed .. appended, 'KEEPTTL') end
  elseif redis.call('APPEND', idKey, appended) == #appended then
    redis.call('DEL', idKey)
  end
  return ids
end
`;

/** Placeholders for a keys.ts builder's owner and kubbi id, which luaKeyName turns into the Lua locals ownerId and kubbiId. */
export const OWNER = "\u0001owner\u0001";
export const KUBBI = "\u0001kubbi\u0001";
/** A keys.ts builder as a Lua expression over the locals ownerId and kubbiId: Lua and TypeScript name keys one way. */
export const luaKeyName = (template: string) =>
  `'${template.replaceAll(OWNER, "' .. ownerId .. '").replaceAll(KUBBI, "' .. kubbiId .. '")}'`;

/**
 * For the scripts that change a kubbi's state (claim, delete, restore, expire), which run in the kubbi's
 * slot. kubbiEvents(inline, minId, at) returns emit(metaKey, kinds, ip, ua, state) and the list of
 * events emitted; kinds is one type or a list of them (a burning claim's claimed and burned, appended
 * together). Each event is built from the state hash as the script leaves it (owner, id, count, limit):
 * read here, or passed as state {ownerId, kubbiId, count, max} by a script that holds it already; never
 * from what the API assumed. On one Redis (inline) emit appends at once, in the same
 * script as the state change, so the two cannot disagree; the owner's keys are named from the hash, since
 * a claim knows only its token. On a cluster the owner's stream is in another slot: the events go back in
 * the reply and the store appends them there right after (APPEND_EVENTS).
 * Every such script replies {events, ...}: each event {id or '', type, ownerId, kubbiId, at, n, m, ip, ua}.
 */
export const KUBBI_EVENTS = `${APPEND_EVENTS_FUNCTION}
local function kubbiEvents(inline, minId, at)
  local events = {}
  local function emit(metaKey, kinds, ip, ua, state)
    if type(kinds) == 'string' then kinds = {kinds} end
    state = state or redis.call('HMGET', metaKey, 'own', 'id', 'cnt', 'max')
    local ownerId, kubbiId = state[1], state[2]
    local entries = {}
    for i, kind in ipairs(kinds) do entries[i] = {kind, kubbiId, at, state[3], state[4], ip, ua} end
    local ids = {}
    if inline then
      ids = appendEvents(${luaKeyName(eventStreamKey(OWNER))}, ${luaKeyName(idKey(OWNER, KUBBI))}, minId, entries)
    end
    for i, kind in ipairs(kinds) do
      events[#events + 1] = {ids[i] or '', kind, ownerId, kubbiId, at, state[3], state[4], ip, ua}
    end
  end
  return emit, events
end
`;

/** For a script in the owner's slot that appends with its keys given (the created event). */
export const OWNER_EVENT = APPEND_EVENTS_FUNCTION;

/** On a cluster: a kubbi script's events, appended in the owner's slot right after it. Returns their ids. */
export const APPEND_EVENTS: LuaScript<string[]> = {
  name: "kubbiAppendEvents",
  numberOfKeys: 2,
  lua: `${APPEND_EVENTS_FUNCTION}
local streamKey = KEYS[1]  -- own:{ownerId}:ev          the owner's event stream
local idKey = KEYS[2]      -- own:{ownerId}:id:<id>     the kubbi's token hash and event ids
local minId = ARGV[1]      -- ms: entries older than this may be trimmed (the event retention)
-- ARGV[2..]: the events, 7 values each: type, kubbi id, at, count, max, ip, ua
local entries = {}
for i = 2, #ARGV, 7 do entries[#entries + 1] = {unpack(ARGV, i, i + 6)} end
return appendEvents(streamKey, idKey, minId, entries)
`,
  decode: (reply) => (reply as Buffer[]).map((id) => id.toString()),
};

/**
 * The periodic sweep's step for one owner's events (store/redis.ts sweepOwnerIndexes): appends trim
 * only approximately and only when events come, so an owner with no new events would keep old ones.
 * Trims exactly, and drops the stream once it is empty unless webhook delivery reads it (a consumer group).
 */
export const SWEEP_OWNER_EVENTS: LuaScript<void> = {
  name: "kubbiSweepOwnerEvents",
  numberOfKeys: 1,
  lua: `
local streamKey = KEYS[1]  -- own:{ownerId}:ev
local minId = ARGV[1]      -- ms: entries older than this go (the event retention)
if redis.call('EXISTS', streamKey) == 0 then return 0 end
redis.call('XTRIM', streamKey, 'MINID', minId)
if redis.call('XLEN', streamKey) == 0 and #redis.call('XINFO', 'GROUPS', streamKey) == 0 then
  redis.call('DEL', streamKey)
end
return 1
`,
  decode: () => undefined,
};
