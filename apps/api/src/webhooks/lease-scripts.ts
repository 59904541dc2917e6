/** Lease scripts: compare-and-act on one lease key, so a process never extends or drops another's lease. */

/** Extends the lease if this consumer holds it: 1, else 0. */
export const RENEW_LEASE = {
  name: "kubbiWebhookRenewLease",
  numberOfKeys: 1,
  lua: `
local leaseKey = KEYS[1]     -- own:{ownerId}:whl, holds the consumer name of the process delivering
local consumer = ARGV[1]     -- this process's consumer name
local ttlMs = ARGV[2]        -- how long the lease lasts without another renewal

if redis.call('GET', leaseKey) == consumer then return redis.call('PEXPIRE', leaseKey, ttlMs) end
return 0
`,
} as const;

/** Drops the lease if this consumer holds it (a clean shutdown hands the owner over at once). */
export const RELEASE_LEASE = {
  name: "kubbiWebhookReleaseLease",
  numberOfKeys: 1,
  lua: `
local leaseKey = KEYS[1]     -- own:{ownerId}:whl
local consumer = ARGV[1]     -- this process's consumer name

if redis.call('GET', leaseKey) == consumer then return redis.call('DEL', leaseKey) end
return 0
`,
} as const;
