import type { LuaScript } from "./script.js";

/**
 * storeKubbi writes a new kubbi's sealed payload, sealed info and state hash, each with its native
 * expiry. The info (metadata and file manifest) lives and dies with the payload: the tombstone that
 * outlives them holds only counters, timestamps and ids.
 */
export const STORE_KUBBI_FUNCTION = `
local function storeKubbi(metaKey, payloadKey, infoKey, sealed, sealedInfo, expiresAt, purgeAt, state)
  local fields = {}
  for name, value in pairs(cjson.decode(state)) do
    fields[#fields + 1] = name
    fields[#fields + 1] = value
  end
  redis.call('SET', payloadKey, sealed, 'PXAT', expiresAt)
  if sealedInfo ~= '' then redis.call('SET', infoKey, sealedInfo, 'PXAT', expiresAt) end
  redis.call('HSET', metaKey, unpack(fields))
  redis.call('PEXPIREAT', metaKey, purgeAt)
end
`;

/** The kubbi's half of a create on a cluster (its slot only): storeKubbi on its own. */
export const STORE_KUBBI: LuaScript<void> = {
  name: "kubbiStore",
  numberOfKeys: 3,
  lua: `${STORE_KUBBI_FUNCTION}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m  the state hash, kept until the tombstone's purge time
local payloadKey = KEYS[2] -- kb:{tokenHash}:d  the sealed payload, gone at expiry
local infoKey = KEYS[3]    -- kb:{tokenHash}:i  the sealed metadata and manifest, gone at expiry too
local sealed = ARGV[1]     -- the sealed payload
local sealedInfo = ARGV[2] -- the sealed info; '' when the kubbi has none (no key is written)
local expiresAt = ARGV[3]  -- epoch ms
local purgeAt = ARGV[4]    -- epoch ms: expiry + tombstone retention
local state = ARGV[5]      -- the state hash as one JSON object of strings (one argument, not 38)
storeKubbi(metaKey, payloadKey, infoKey, sealed, sealedInfo, expiresAt, purgeAt, state)
return 1
`,
  decode: () => undefined,
};
