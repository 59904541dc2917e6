/** Reserves an idempotency slot, or returns what is there: {'started'} | {'in_progress'} | {'completed', value}. */
export const BEGIN_IDEMPOTENT_SCRIPT = `
local slotKey = KEYS[1]      -- idem:{ownerId}:<hash of the Idempotency-Key>
local pendingTtlMs = ARGV[1] -- how long a crashed request may hold the slot

local existing = redis.call('GET', slotKey)
if not existing then
  redis.call('SET', slotKey, 'pending', 'PX', pendingTtlMs)
  return {'started'}
end
if existing == 'pending' then return {'in_progress'} end
return {'completed', existing}
`;

/** Frees a slot whose request failed, unless it already completed. */
export const ABANDON_IDEMPOTENT_SCRIPT = `
local slotKey = KEYS[1] -- idem:{ownerId}:<hash of the Idempotency-Key>
if redis.call('GET', slotKey) == 'pending' then redis.call('DEL', slotKey) end
return 1
`;
