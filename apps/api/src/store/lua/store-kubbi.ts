/** Writes a new kubbi's sealed payload and state hash, each with its native expiry, in one command. */
export const STORE_KUBBI_SCRIPT = `
local metaKey = KEYS[1]    -- kb:{tokenHash}:m  the state hash, kept until the tombstone's purge time
local payloadKey = KEYS[2] -- kb:{tokenHash}:d  the sealed payload, gone at expiry
local sealed = ARGV[1]     -- the sealed payload
local expiresAt = ARGV[2]  -- epoch ms
local purgeAt = ARGV[3]    -- epoch ms: expiry + tombstone retention
-- ARGV[4..]: the state hash as field, value pairs

redis.call('SET', payloadKey, sealed, 'PXAT', expiresAt)
redis.call('HSET', metaKey, unpack(ARGV, 4))
redis.call('PEXPIREAT', metaKey, purgeAt)
return 1
`;
