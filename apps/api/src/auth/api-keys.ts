import type { Plan } from "../config.js";
import { isWellFormedApiKey } from "@kubbi.ai/sdk/wire";
import { hashApiKey } from "../crypto/tokens.js";
import type { KubbiStore, StoredApiKey } from "../store/store.js";
import type { Producer } from "../services/context.js";

/**
 * Finds the producer behind an API key: keys from the environment (KUBBI_API_KEYS, and the dev
 * key) live in memory; keys made with the admin command live in the store. Only hashes are kept.
 */
export class ApiKeyRegistry {
  private readonly fromEnvironment = new Map<string, StoredApiKey>();

  constructor(
    private readonly store: KubbiStore,
    private readonly defaultPlan: Plan,
  ) {}

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
    return this.producerOf(apiKey, this.fromEnvironment.get(keyHash) ?? (await this.store.findApiKey(keyHash)));
  }

  private producerOf(apiKey: string, stored: StoredApiKey | null): Producer | null {
    if (!stored || stored.revokedAt !== null) return null;
    return { keyId: stored.id, name: stored.name, plan: { ...this.defaultPlan, ...stored.plan }, apiKey };
  }
}
