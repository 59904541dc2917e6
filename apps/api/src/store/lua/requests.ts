import type { BeginFillOutcome, CancelOutcome } from "../requests/request-store.js";
import { text, type LuaScript } from "./script.js";

/**
 * Request-link scripts. Each touches one request hash, rq:{fillHash}:m, so it runs in one Redis Cluster
 * slot; the owner's id index lives under the owner's hash tag and is written separately (see redis-request-store).
 */

/** 1 key. Writes a new request's state with its purge time, in one step. */
export const CREATE_REQUEST: LuaScript<void> = {
  name: "kubbiCreateRequest",
  numberOfKeys: 1,
  lua: `
local requestKey = KEYS[1]        -- rq:{fillHash}:m  the request's state hash
local purgeAt = ARGV[1]           -- ms: when its state may go (its kubbi could be gone + retention)
redis.call('HSET', requestKey, unpack(ARGV, 2))  -- field, value... (record-codec)
redis.call('PEXPIREAT', requestKey, purgeAt)
return 1
`,
  decode: () => undefined,
};

/** 1 key. Takes the single use: open and unexpired → fulfilling, with the kubbi id and sealed claim token. */
export const BEGIN_FILL: LuaScript<BeginFillOutcome> = {
  name: "kubbiBeginFill",
  numberOfKeys: 1,
  lua: `
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
`,
  decode: (reply) => text(reply) as BeginFillOutcome,
};

/** 1 key. fulfilling → fulfilled; anything else is left alone. */
export const FINISH_FILL: LuaScript<void> = {
  name: "kubbiFinishFill",
  numberOfKeys: 1,
  lua: `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
if redis.call('HGET', requestKey, 'st') == 'fulfilling' then redis.call('HSET', requestKey, 'st', 'fulfilled') end
return 1
`,
  decode: () => undefined,
};

/** 1 key. fulfilling (by this kubbi id) → open, when the kubbi was refused and never written. */
export const ABORT_FILL: LuaScript<void> = {
  name: "kubbiAbortFill",
  numberOfKeys: 1,
  lua: `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
local kubbiId = ARGV[1]          -- the delivery that gives the request back
local state = redis.call('HMGET', requestKey, 'st', 'kid')
if state[1] == 'fulfilling' and state[2] == kubbiId then
  redis.call('HSET', requestKey, 'st', 'open', 'kid', '', 'sct', '', 'fat', '')
end
return 1
`,
  decode: () => undefined,
};

/** 1 key. The owner cancels an open request; a taken, expired or cancelled one says which it is. */
export const CANCEL_REQUEST: LuaScript<CancelOutcome> = {
  name: "kubbiCancelRequest",
  numberOfKeys: 1,
  lua: `
local requestKey = KEYS[1]       -- rq:{fillHash}:m
local ownerId = ARGV[1]          -- only the owner may cancel
local nowMs = tonumber(ARGV[2])  -- the API's clock in ms
local state = redis.call('HMGET', requestKey, 'st', 'own', 'exp')
if not state[1] or state[2] ~= ownerId then return 'not_found' end
if state[1] ~= 'open' then return state[1] end
if nowMs >= tonumber(state[3]) then return 'expired' end
redis.call('HSET', requestKey, 'st', 'cancelled')
return 'ok'
`,
  decode: (reply) => text(reply) as CancelOutcome,
};

/** Every request script, defined on the shared connection by the request store. */
export const REQUEST_SCRIPTS: ReadonlyArray<LuaScript<unknown>> = [
  CREATE_REQUEST,
  BEGIN_FILL,
  FINISH_FILL,
  ABORT_FILL,
  CANCEL_REQUEST,
];
