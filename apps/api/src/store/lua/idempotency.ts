import type { IdempotencyBegin } from "../store.js";
import { text, type LuaScript } from "./script.js";

/** Reserves an idempotency slot, or returns what is there. */
export const BEGIN_IDEMPOTENT: LuaScript<IdempotencyBegin> = {
  name: "kubbiBeginIdempotent",
  numberOfKeys: 1,
  lua: `
local slotKey = KEYS[1]  -- idem:{ownerId:<hash of the Idempotency-Key>}
local pendingUntil = ARGV[1] -- epoch ms until which a crashed request may hold the slot

local existing = redis.call('GET', slotKey)
if not existing then
  redis.call('SET', slotKey, 'pending', 'PXAT', pendingUntil)
  return {'started'}
end
if existing == 'pending' then return {'in_progress'} end
return {'completed', existing}
`,
  /** {'started'} | {'in_progress'} | {'completed', value} */
  decode(reply) {
    const [state, value] = reply as Buffer[];
    const name = text(state);
    return name === "completed" ? { state: "completed", value: value! } : { state: name as "started" | "in_progress" };
  },
};

/** Frees a slot whose request failed, unless it already completed. */
export const ABANDON_IDEMPOTENT: LuaScript<void> = {
  name: "kubbiAbandonIdempotent",
  numberOfKeys: 1,
  lua: `
local slotKey = KEYS[1] -- idem:{ownerId:<hash of the Idempotency-Key>}
if redis.call('GET', slotKey) == 'pending' then redis.call('DEL', slotKey) end
return 1
`,
  decode: () => undefined,
};
