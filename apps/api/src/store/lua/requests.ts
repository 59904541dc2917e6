/**
 * Request-link scripts. Each touches one request hash, rq:{fillHash}:m, so it runs on Redis Cluster;
 * the owner's id index lives under the owner's hash tag and is written separately (see redis-request-store).
 */

/** 1 key. Takes the single use: open and unexpired → fulfilling, with the kubbi id and sealed claim token. */
export const BEGIN_FILL_KEYS = 1;
export const BEGIN_FILL_SCRIPT = `
local requestKey = KEYS[1]       -- rq:{fillHash}:m  the request's state hash
local nowMs = tonumber(ARGV[1])  -- the API's clock in ms
local kubbiId = ARGV[2]          -- the id the delivery's kubbi will get
local sealedClaimToken = ARGV[3] -- its claim token, sealed to the requester's public key

local state = redis.call('HMGET', requestKey, 'st', 'exp')
if not state[1] then return 'not_found' end
if state[1] ~= 'open' then return state[1] end
if nowMs >= tonumber(state[2]) then return 'expired' end
redis.call('HSET', requestKey, 'st', 'fulfilling', 'kid', kubbiId, 'sct', sealedClaimToken, 'fat', ARGV[1])
return 'ok'
`;

/** 1 key. fulfilling → fulfilled; anything else is left alone. */
export const FINISH_FILL_KEYS = 1;
export const FINISH_FILL_SCRIPT = `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
if redis.call('HGET', requestKey, 'st') == 'fulfilling' then redis.call('HSET', requestKey, 'st', 'fulfilled') end
return 1
`;

/** 1 key. fulfilling (by this kubbi id) → open, when the kubbi was refused and never written. */
export const ABORT_FILL_KEYS = 1;
export const ABORT_FILL_SCRIPT = `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
local kubbiId = ARGV[1]          -- the delivery that gives the request back
local state = redis.call('HMGET', requestKey, 'st', 'kid')
if state[1] == 'fulfilling' and state[2] == kubbiId then
  redis.call('HSET', requestKey, 'st', 'open', 'kid', '', 'sct', '', 'fat', '')
end
return 1
`;

/** 1 key. The owner cancels an open request; a taken, expired or cancelled one says which it is. */
export const CANCEL_REQUEST_KEYS = 1;
export const CANCEL_REQUEST_SCRIPT = `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
local ownerId = ARGV[1]          -- only the owner may cancel
local nowMs = tonumber(ARGV[2])  -- the API's clock in ms
local state = redis.call('HMGET', requestKey, 'st', 'own', 'exp')
if not state[1] or state[2] ~= ownerId then return 'not_found' end
if state[1] ~= 'open' then return state[1] end
if nowMs >= tonumber(state[3]) then return 'expired' end
redis.call('HSET', requestKey, 'st', 'cancelled')
return 'ok'
`;
