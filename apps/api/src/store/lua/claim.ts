import { storedClient } from "../../events/codec.js";
import { READ_STATE, hashToRecord, stateFields } from "../record-codec.js";
import type { ClaimOutcome } from "../store.js";
import { KUBBI_EVENTS } from "./event-log.js";
import { type EmittedEvents, decodeEmitted } from "./emitted.js";
import { text, type LuaScript } from "./script.js";

/**
 * The claim: check status and expiry, count, stamp, and on the last allowed retrieval wipe the
 * payload and its sealed info and mark the kubbi burned, all in one atomic step and one round trip
 * (the owner's index is not touched: a burned kubbi leaves the active count lazily, see owner-index.ts).
 * Exactly max_retrievals claims succeed however many race, from any number of API processes, and each
 * writes its events (claimed, then burned; or expired when it finds the TTL passed) in the same step.
 * With a size limit, a larger kubbi is left untouched and reported as too_large, so the API can wait
 * for a large-response slot before it claims (and holds the payload in memory).
 */
export const CLAIM: LuaScript<EmittedEvents<ClaimOutcome>, string> = {
  name: "kubbiClaim",
  numberOfKeys: 3,
  lua: `${KUBBI_EVENTS}${READ_STATE}
local metaKey = KEYS[1]    -- kb:{tokenHash}:m  hash: the kubbi's state (the tombstone once it is gone)
local payloadKey = KEYS[2] -- kb:{tokenHash}:d  the sealed payload; its native TTL is the expiry
local infoKey = KEYS[3]    -- kb:{tokenHash}:i  the sealed metadata and manifest: removed with the payload
local nowMs = ARGV[1]      -- the API's clock in ms, so both stores share one notion of now
local maxBytes = tonumber(ARGV[2]) -- absent, or a payload size above which nothing is claimed: the caller queues first
local clientIp = ARGV[3]   -- the consumer's address and user agent: the claim's events and last_claim
local clientUa = ARGV[4]
local emit, events = kubbiEvents(ARGV[5] == '1', ARGV[6], nowMs) -- append here (one Redis)?, trim events before (ms)

local state = readState(metaKey)
if not state then return {events, 'not_found'} end
if state.st ~= 'active' then return {events, state.st} end
if maxBytes and tonumber(state.sz) > maxBytes then return {events, 'too_large'} end
-- The event's view of the kubbi: owner, id, count and limit as this script leaves them.
local function eventState() return {state.own, state.id, state.cnt, state.max} end
local sealed = redis.call('GET', payloadKey)
if not sealed or tonumber(nowMs) >= tonumber(state.exp) then
  redis.call('HSET', metaKey, 'st', 'expired')
  redis.call('DEL', payloadKey, infoKey)
  emit(metaKey, 'kubbi.expired', '', '', eventState())
  return {events, 'expired'}
end
local sealedInfo = redis.call('GET', infoKey) or ''
local previousFirst, previousLast = state.fst or '', state.lst or ''
local previousIp, previousUa = state.cip or '', state.cua or ''
local count = tonumber(state.cnt) + 1
state.cnt = tostring(count)
if previousFirst == '' then state.fst = nowMs end
state.lst, state.cip, state.cua = nowMs, clientIp, clientUa
local kinds = {'kubbi.claimed'}
if state.max ~= '' and count >= tonumber(state.max) then
  redis.call('DEL', payloadKey, infoKey)
  state.st = 'burned'
  kinds[2] = 'kubbi.burned'
end
redis.call('HSET', metaKey, 'cnt', state.cnt, 'fst', state.fst, 'lst', nowMs, 'cip', clientIp, 'cua', clientUa,
  'st', state.st)
emit(metaKey, kinds, clientIp, clientUa, eventState())
local burned = state.st == 'burned' and '1' or '0'
return {events, 'claimed', sealed, burned, previousFirst, previousLast, sealedInfo, previousIp, previousUa,
  cjson.encode(state)}
`,
  /**
   * {events, 'not_found' | 'too_large' | status} or {events, 'claimed', sealed, burned, previousFirst,
   * previousLast, sealedInfo, previousClientIp, previousClientUa, state as JSON}
   */
  decode(reply, tokenHash) {
    const [emitted, ...parts] = reply as [unknown, ...Buffer[]];
    const events = decodeEmitted(emitted);
    const outcome = text(parts[0]);
    if (outcome === "not_found") return { events, value: { kind: "not_found" } };
    if (outcome === "too_large") return { events, value: { kind: "too_large" } };
    if (outcome !== "claimed")
      return { events, value: { kind: "gone", status: outcome as "burned" | "expired" | "deleted" } };
    const previous = (value: Buffer) => (value.length ? Number(value.toString("utf8")) : null);
    const previousIp = text(parts[6]);
    const previousUa = text(parts[7]);
    return {
      events,
      value: {
        kind: "claimed",
        record: hashToRecord(tokenHash, stateFields(parts[8]!)!, parts[5]!),
        sealedPayload: parts[1]!,
        burned: text(parts[2]) === "1",
        previousFirstRetrievedAt: previous(parts[3]!),
        previousLastRetrievedAt: previous(parts[4]!),
        previousClaimClient: storedClient(previousIp, previousUa),
      },
    };
  },
};
