import { eventStreamKey, expiryKey, idKey, listKey } from "../keys.js";
import { KUBBI, OWNER, OWNER_EVENT, luaKeyName } from "./event-log.js";
import { STORE_KUBBI_FUNCTION } from "./store-kubbi.js";
import { text, type LuaScript } from "./script.js";

/**
 * Each owner's index, all under one hash tag {ownerId} (keys.ts names them):
 *   own:{ownerId}:l   zset tokenHash by created_at   list order (newest first)
 *   own:{ownerId}:e   zset tokenHash by expires_at   the active count (score > now) and the purge time
 *                                                    (score + tombstone retention)
 *   own:{ownerId}:id:<id>  string tokenHash          producer routes by id; expires with the tombstone
 * Claims and deletes run in the kubbi's own slot and do not touch this index, so a burned or deleted
 * kubbi keeps counting as active until it expires, or until the owner reaches the cap: then the store
 * checks the candidates and re-scores the gone ones (markGone) before it refuses.
 * Entries leave at their purge time: trimmed on every list page, and by a periodic sweep of every known
 * owner, so an API key that is never used again does not keep them.
 */
const TRIM_OWNER_INDEX = `
-- Removes up to 'limit' entries whose kubbi expired before purgeBefore (its tombstone is purged) from both sets.
local function trimOwnerIndex(listKey, expiryKey, purgeBefore, limit)
  local purged = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', purgeBefore, 'LIMIT', 0, limit)
  if #purged > 0 then
    redis.call('ZREM', listKey, unpack(purged))
    redis.call('ZREM', expiryKey, unpack(purged))
  end
  return #purged
end
`;

/** The two sets every script that trims the index takes first, bound once for all of them. */
const OWNER_INDEX_KEYS = `
local listKey = KEYS[1]          -- own:{ownerId}:l
local expiryKey = KEYS[2]        -- own:{ownerId}:e`;

/** How many purged entries one list page or sweep step removes; the sweep repeats until fewer come back. */
const TRIM_BATCH = 100;

/**
 * reserveOwnerSlot enforces the active-kubbi cap and indexes a new kubbi, writing its created event in the
 * same step (the owner's stream shares this slot): returns the event's id, or 0 when it refuses and
 * writes nothing. Purged entries are not trimmed here: the periodic sweep does that for every owner (and
 * a list page for its own), so a create stays at the writes it needs. Its arguments after the keys are
 * RESERVE_OWNER_SLOT's ARGV, in order.
 */
const RESERVE_OWNER_SLOT_FUNCTION = `${OWNER_EVENT}
local function reserveOwnerSlot(listKey, expiryKey, idKey, streamKey, nowMs, tokenHash, createdAt, listScore,
    expiresAt, retentionMs, maxActive, kubbiId, maxRetrievals, eventsMinId)
  if redis.call('ZCOUNT', expiryKey, '(' .. nowMs, '+inf') >= tonumber(maxActive) then return 0 end
  redis.call('ZADD', listKey, listScore, tokenHash)
  redis.call('ZADD', expiryKey, expiresAt, tokenHash)
  local createdEventId = addEntry(streamKey, eventsMinId,
    {'kubbi.created', kubbiId, createdAt, 0, maxRetrievals, '', ''})
  -- Expires with the tombstone.
  redis.call('SET', idKey, tokenHash .. ' ' .. createdEventId, 'PXAT', tonumber(expiresAt) + tonumber(retentionMs))
  return createdEventId
end
`;

/** The reservation's arguments: all of RESERVE_OWNER_SLOT's ARGV, and CREATE_KUBBI's first ten (the kubbi's follow). */
const RESERVATION_ARGS = `
local nowMs = ARGV[1]            -- the API's clock in ms
local tokenHash = ARGV[2]        -- the new kubbi's storage key
local createdAt = ARGV[3]        -- ms, for the created event
local listScore = ARGV[4]        -- created_at, nudged by the API past its previous create of the same ms
local expiresAt = ARGV[5]        -- ms
local retentionMs = ARGV[6]      -- how long a tombstone outlives expiry
local maxActive = ARGV[7]        -- the owner's cap on active kubbis
local kubbiId = ARGV[8]          -- for the created event and the id index
local maxRetrievals = ARGV[9]    -- '' for unlimited
local eventsMinId = ARGV[10]     -- ms: events older than this may be trimmed`;

/** The owner's keys a reservation touches, in RESERVE_OWNER_SLOT's and UNINDEX's KEYS order (CREATE_KUBBI names them in Lua). */
export const reservationKeys = (ownerId: string, kubbiId: string) => [
  listKey(ownerId),
  expiryKey(ownerId),
  idKey(ownerId, kubbiId),
  eventStreamKey(ownerId),
];

const reserveWith = (keys: string) =>
  `reserveOwnerSlot(${keys}, nowMs, tokenHash, createdAt, listScore, expiresAt, retentionMs, maxActive,
  kubbiId, maxRetrievals, eventsMinId)`;

/** The owner's half of a create on a cluster (the owner's slot only): reserveOwnerSlot on its own. */
export const RESERVE_OWNER_SLOT: LuaScript<string | null> = {
  name: "kubbiReserveOwnerSlot",
  numberOfKeys: 4,
  lua: `${RESERVE_OWNER_SLOT_FUNCTION}${OWNER_INDEX_KEYS}
local idKey = KEYS[3]            -- own:{ownerId}:id:<id>, the new kubbi's id index and event ids
local streamKey = KEYS[4]        -- own:{ownerId}:ev, the owner's events
${RESERVATION_ARGS}
return ${reserveWith("listKey, expiryKey, idKey, streamKey")}
`,
  decode: (reply) => (Buffer.isBuffer(reply) ? text(reply) : null),
};

/**
 * A whole create on one Redis, in one script and one round trip: the owner's reservation first, then,
 * unless it refused, the kubbi's keys. Like a claim's inline events, it names the owner's keys from the
 * owner id (keys.ts), since they are in another slot: only one Redis runs it, never a cluster. Replies
 * the created event's id, or 0 when the cap refuses (nothing is written).
 */
export const CREATE_KUBBI: LuaScript<string | null> = {
  name: "kubbiCreate",
  numberOfKeys: 3,
  lua: `${RESERVE_OWNER_SLOT_FUNCTION}${STORE_KUBBI_FUNCTION}
local metaKey = KEYS[1]          -- kb:{tokenHash}:m  the state hash, kept until the tombstone's purge time
local payloadKey = KEYS[2]       -- kb:{tokenHash}:d  the sealed payload, gone at expiry
local infoKey = KEYS[3]          -- kb:{tokenHash}:i  the sealed metadata and manifest, gone at expiry too
${RESERVATION_ARGS}
local ownerId = ARGV[11]         -- names the owner's keys
local sealed = ARGV[12]          -- the sealed payload
local sealedInfo = ARGV[13]      -- the sealed info; '' when the kubbi has none (no key is written)
local state = ARGV[14]           -- the state hash as one JSON object of strings
local createdEventId = ${reserveWith(reservationKeys(OWNER, KUBBI).map(luaKeyName).join(", "))}
if createdEventId == 0 then return 0 end
storeKubbi(metaKey, payloadKey, infoKey, sealed, sealedInfo, expiresAt, tonumber(expiresAt) + tonumber(retentionMs), state)
return createdEventId
`,
  decode: (reply) => (Buffer.isBuffer(reply) ? text(reply) : null),
};

/** One page of an owner's kubbis, newest first: {total, tokenHash...}. */
export const OWNER_PAGE: LuaScript<{ total: number; tokenHashes: string[] }> = {
  name: "kubbiOwnerPage",
  numberOfKeys: 2,
  lua: `${TRIM_OWNER_INDEX}${OWNER_INDEX_KEYS}
local nowMs = tonumber(ARGV[1])  -- the API's clock in ms
local retentionMs = tonumber(ARGV[2])
local offset = tonumber(ARGV[3]) -- first row of the page
local limit = tonumber(ARGV[4])  -- rows on the page

trimOwnerIndex(listKey, expiryKey, nowMs - retentionMs, ${TRIM_BATCH})
local reply = {redis.call('ZCARD', listKey)}
local members = redis.call('ZREVRANGE', listKey, offset, offset + limit - 1)
for i = 1, #members do reply[#reply + 1] = members[i] end
return reply
`,
  decode(reply) {
    const [total, ...tokenHashes] = reply as [number, ...Buffer[]];
    return { total: Number(total), tokenHashes: tokenHashes.map(text) };
  },
};

/** The periodic sweep's step for one owner: removes up to one batch of purged entries, returns how many. */
export const SWEEP_OWNER_INDEX: LuaScript<number> = {
  name: "kubbiSweepOwnerIndex",
  numberOfKeys: 2,
  lua: `${TRIM_OWNER_INDEX}${OWNER_INDEX_KEYS}
local purgeBefore = tonumber(ARGV[1]) -- now - tombstone retention
return trimOwnerIndex(listKey, expiryKey, purgeBefore, ${TRIM_BATCH})
`,
  decode: (reply) => Number(reply),
};

/**
 * Takes kubbis that are gone (burned, deleted) out of the active count: re-scored to nowMs, so they
 * stop counting at once and leave the list one retention after now. Only members still present are touched.
 */
export const MARK_GONE: LuaScript<void> = {
  name: "kubbiMarkGone",
  numberOfKeys: 1,
  lua: `
local expiryKey = KEYS[1] -- own:{ownerId}:e
local nowMs = ARGV[1]
-- ARGV[2..]: token hashes of kubbis that are no longer active
for i = 2, #ARGV do redis.call('ZADD', expiryKey, 'XX', nowMs, ARGV[i]) end
return 1
`,
  decode: () => undefined,
};

/** Undoes a reservation whose kubbi could not be written, and its created event. */
export const UNINDEX: LuaScript<void> = {
  name: "kubbiUnindex",
  numberOfKeys: 4,
  lua: `
local listKey = KEYS[1]   -- own:{ownerId}:l
local expiryKey = KEYS[2] -- own:{ownerId}:e
local idKey = KEYS[3]     -- own:{ownerId}:id:<id>
local streamKey = KEYS[4] -- own:{ownerId}:ev
local tokenHash = ARGV[1]
local createdEventId = ARGV[2]
redis.call('ZREM', listKey, tokenHash)
redis.call('ZREM', expiryKey, tokenHash)
redis.call('DEL', idKey)
redis.call('XDEL', streamKey, createdEventId)
return 1
`,
  decode: () => undefined,
};
