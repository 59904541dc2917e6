/**
 * Per-owner indexes, all under one hash tag {ownerId}:
 *   own:{ownerId}:l  zset tokenHash by created_at  (list order)
 *   own:{ownerId}:p  zset tokenHash by purge time  (when the tombstone disappears)
 *   own:{ownerId}:a  zset tokenHash by expires_at  (the active-kubbi cap)
 *   own:{ownerId}:id:<id>  string tokenHash    (producer routes by id; only the owner's id finds it)
 * Trimming is lazy and bounded, done on every create and list.
 */
const TRIM_OWNER_INDEXES = `
local listKey = KEYS[1]
local purgeKey = KEYS[2]
local activeKey = KEYS[3]
local purgedMembers = redis.call('ZRANGEBYSCORE', purgeKey, '-inf', nowMs, 'LIMIT', 0, 1000)
if #purgedMembers > 0 then
  redis.call('ZREM', listKey, unpack(purgedMembers))
  redis.call('ZREM', purgeKey, unpack(purgedMembers))
end
redis.call('ZREMRANGEBYSCORE', activeKey, '-inf', nowMs)
`;

/** Enforces the active-kubbi cap and indexes a new kubbi, or refuses and writes nothing. */
export const RESERVE_OWNER_SLOT_SCRIPT = `
local idKey = KEYS[4]            -- own:{ownerId}:id:<id>, the new kubbi's id index
local nowMs = ARGV[1]            -- the API's clock in ms
local tokenHash = ARGV[2]        -- the new kubbi's storage key
local createdAt = ARGV[3]
local expiresAt = ARGV[4]
local purgeAt = ARGV[5]          -- expires_at + tombstone retention
local maxActive = tonumber(ARGV[6])
${TRIM_OWNER_INDEXES}
if redis.call('ZCARD', activeKey) >= maxActive then return 0 end
-- Kubbis made in the same millisecond still list newest first: nudge the score past the newest one.
local listScore = tonumber(createdAt)
local newest = redis.call('ZREVRANGE', listKey, 0, 0, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= listScore then listScore = tonumber(newest[2]) + 0.0009765625 end
redis.call('ZADD', listKey, listScore, tokenHash)
redis.call('ZADD', purgeKey, purgeAt, tokenHash)
redis.call('ZADD', activeKey, expiresAt, tokenHash)
redis.call('SET', idKey, tokenHash, 'PXAT', purgeAt)
return 1
`;

/** One page of an owner's kubbis, newest first: {total, tokenHash...}. */
export const OWNER_PAGE_SCRIPT = `
local nowMs = ARGV[1]            -- the API's clock in ms
local offset = tonumber(ARGV[2]) -- first row of the page
local limit = tonumber(ARGV[3])  -- rows on the page
${TRIM_OWNER_INDEXES}
local reply = {redis.call('ZCARD', listKey)}
local members = redis.call('ZREVRANGE', listKey, offset, offset + limit - 1)
for i = 1, #members do reply[#reply + 1] = members[i] end
return reply
`;
