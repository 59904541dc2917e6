import type { Plan } from "../config.js";
import { isWellFormedApiKey } from "@kubbi.ai/sdk/wire";
import { hashApiKey } from "../crypto/tokens.js";
import type { KubbiStore, StoredApiKey } from "../store/store.js";
import type { Producer } from "../services/context.js";

/** How long a stored key's lookup is trusted, and how many lookups are kept. */
export interface ApiKeyCacheOptions {
  /** 0 looks every stored key up on every request. */
  ttlMs: number;
  /** Keys found in the store (only the operator makes these, so the bound is never reached in practice). */
  maxKnown: number;
  /** Well-formed keys the store does not hold: anyone can send endless new ones, so these have their own, small bound. */
  maxUnknown: number;
  now: () => number;
}

export const NO_API_KEY_CACHE: ApiKeyCacheOptions = { ttlMs: 0, maxKnown: 0, maxUnknown: 0, now: Date.now };

interface CachedLookup {
  stored: StoredApiKey | null;
  expiresAt: number;
}

/**
 * A bounded map of lookups that expire: the oldest entry goes first when full (a Map keeps insertion
 * order), and an expired one is dropped when read.
 */
class LookupCache {
  private readonly entries = new Map<string, CachedLookup>();

  constructor(private readonly max: number) {}

  get(keyHash: string, nowMs: number): CachedLookup | undefined {
    const entry = this.entries.get(keyHash);
    if (entry && entry.expiresAt <= nowMs) this.entries.delete(keyHash);
    return entry && entry.expiresAt > nowMs ? entry : undefined;
  }

  set(keyHash: string, entry: CachedLookup): void {
    this.entries.delete(keyHash);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyHash, entry);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Finds the producer behind an API key: keys from the environment (KUBBI_API_KEYS, and the dev
 * key) live in memory; keys made with the admin command live in the store. Only hashes are kept.
 *
 * Stored keys' lookups are cached for `ttlMs`, so a producer request does not wait on a Redis read
 * first. A revocation (or a new key) is announced on Redis pub/sub and every process then forgets
 * everything it cached (`forgetAll`); if an announcement is lost, the cached answer still expires
 * within `ttlMs`. Unknown keys are cached too (a client retrying with a revoked key costs no reads),
 * in a small map of their own, so random keys can neither grow memory nor push out the real keys.
 */
export class ApiKeyRegistry {
  private readonly fromEnvironment = new Map<string, StoredApiKey>();
  private readonly known: LookupCache;
  private readonly unknown: LookupCache;
  /** Bumped by forgetAll: a lookup that started before a change must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly store: KubbiStore,
    private readonly defaultPlan: Plan,
    private readonly cache: ApiKeyCacheOptions = NO_API_KEY_CACHE,
  ) {
    this.known = new LookupCache(cache.maxKnown);
    this.unknown = new LookupCache(cache.maxUnknown);
  }

  addEnvironmentKey(apiKey: string, name: string): void {
    if (!isWellFormedApiKey(apiKey))
      throw new Error(`${name}: API keys look like kb_ followed by 43 to 128 base64url characters`);
    const keyHash = hashApiKey(apiKey);
    this.fromEnvironment.set(keyHash, {
      id: `env_${keyHash.slice(0, 16)}`,
      name,
      createdAt: 0,
      revokedAt: null,
      plan: {},
    });
  }

  /** Ids of the keys from the environment (their owners' indexes are swept like the stored keys'). */
  environmentKeyIds(): string[] {
    return [...this.fromEnvironment.values()].map((key) => key.id);
  }

  async authenticate(apiKey: string): Promise<Producer | null> {
    if (!isWellFormedApiKey(apiKey)) return null;
    const keyHash = hashApiKey(apiKey);
    return this.producerOf(apiKey, this.fromEnvironment.get(keyHash) ?? (await this.lookUp(keyHash)));
  }

  /** A stored key was created or revoked somewhere (or news of that may have been missed): look every key up again. */
  forgetAll(): void {
    this.generation += 1;
    this.known.clear();
    this.unknown.clear();
  }

  private async lookUp(keyHash: string): Promise<StoredApiKey | null> {
    const { ttlMs, now } = this.cache;
    if (ttlMs === 0) return this.store.findApiKey(keyHash);
    const startedAt = now();
    const cached = this.known.get(keyHash, startedAt) ?? this.unknown.get(keyHash, startedAt);
    if (cached) return cached.stored;
    const generation = this.generation;
    const stored = await this.store.findApiKey(keyHash);
    if (generation === this.generation) {
      (stored ? this.known : this.unknown).set(keyHash, { stored, expiresAt: startedAt + ttlMs });
    }
    return stored;
  }

  private producerOf(apiKey: string, stored: StoredApiKey | null): Producer | null {
    if (!stored || stored.revokedAt !== null) return null;
    return { keyId: stored.id, name: stored.name, plan: { ...this.defaultPlan, ...stored.plan }, apiKey };
  }
}
