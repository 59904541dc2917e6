/**
 * Key names, one builder each. Every key one script touches shares a hash tag, so every script and
 * every command the store sends stays in one Redis Cluster slot:
 *   kb:{tokenHash}:m   hash    the kubbi's state (the tombstone)      TTL expiry + retention
 *   kb:{tokenHash}:d   string  the sealed payload                     TTL expiry (native, no sweeper)
 *   kb:{tokenHash}:i   string  the sealed metadata + manifest         TTL expiry; deleted with the payload
 *   own:{ownerId}:l|e  zsets   list order; expiry (active count, purge time): see lua/owner-index.ts
 *   own:{ownerId}:id:<id> string "tokenHash id id ...": producer routes by id, then the kubbi's event
 *                             ids oldest first (each script's appended)  TTL expiry + retention
 *   own:{ownerId}:ev   stream  the owner's events (EVENTS.md)         trimmed by time at every append
 *   own:{ownerId}:ec   string  the expiry scheduler's cursor (ms)     none: one per known owner
 *   ak:{<sha256>}      string  an API key record (JSON); ak:ids hash id -> sha256
 *   rl:{bucket}:<n>    string  a rate-limit window counter
 *   idem:{ownerId:<slot>} string an idempotent response, sealed; slot and key come from the API key
 *   rq:{fillHash}:m    hash    a request link's state                  TTL until its kubbi could be gone + retention
 *   own:{ownerId}:rq:<id> string fillHash, for the requester's routes   same
 *   job:{name}:turn   string  which process runs a periodic job this time  a little under the job's interval
 */
export const metaKey = (tokenHash: string) => `kb:{${tokenHash}}:m`;
export const payloadKey = (tokenHash: string) => `kb:{${tokenHash}}:d`;
export const infoKey = (tokenHash: string) => `kb:{${tokenHash}}:i`;
/** The three keys of one kubbi, in the order every kubbi script takes them. */
export const kubbiKeys = (tokenHash: string) =>
  [metaKey(tokenHash), payloadKey(tokenHash), infoKey(tokenHash)] as const;

export const listKey = (ownerId: string) => `own:{${ownerId}}:l`;
export const expiryKey = (ownerId: string) => `own:{${ownerId}}:e`;
export const idKey = (ownerId: string, id: string) => `own:{${ownerId}}:id:${id}`;
export const eventStreamKey = (ownerId: string) => `own:{${ownerId}}:ev`;
/** Where versions before 2026-12-02 kept a kubbi's event ids (a list); read until the last one is purged. */
export const earlierKubbiEventsKey = (ownerId: string, kubbiId: string) => `own:{${ownerId}}:kev:${kubbiId}`;
export const expiryCursorKey = (ownerId: string) => `own:{${ownerId}}:ec`;

export const apiKeyKey = (keyHash: string) => `ak:${keyHash}`;
/** id -> sha256 of every API key made with the admin command. */
export const API_KEY_IDS = "ak:ids";

export const rateCounterKey = (bucket: string, window: number) => `rl:{${bucket}}:${window}`;
export const idempotencyKey = (slot: string) => `idem:{${slot}}`;

/** Held by the API process whose turn it is to run a periodic job (the expiry check, the index sweep). */
export const jobTurnKey = (job: string) => `job:{${job}}:turn`;

export const requestKey = (fillHash: string) => `rq:{${fillHash}}:m`;
export const ownerRequestKey = (ownerId: string, id: string) => `own:{${ownerId}}:rq:${id}`;
