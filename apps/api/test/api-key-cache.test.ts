import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { makeApiKey, startApi, type ApiProcess } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { announceApiKeyChange } from "../src/auth/api-key-changes.js";
import { ApiKeyRegistry } from "../src/auth/api-keys.js";
import type { Plan } from "../src/config.js";
import { hashApiKey } from "../src/crypto/tokens.js";
import { apiKeyKey } from "../src/store/keys.js";
import type { KubbiStore, StoredApiKey } from "../src/store/store.js";
import { expectEnvelope, producer } from "./support/http.js";
import { useStack, type Stack } from "./support/stacks.js";

const execute = promisify(execFile);
const ADMIN = resolve(import.meta.dirname, "../dist/admin/kubbi-admin.js");
/** Safety nets for polls, never times asserted: far above what a pub/sub message or the cache time takes. */
const HEARD = { timeout: 15_000, interval: 50 };
const EXPIRED = { timeout: 30_000, interval: 100 };

const PLAN: Plan = { maxFiles: 5, maxKubbiBytes: 1024, maxActiveKubbis: 10, ratePerMinute: 60 };
const storedKey = (id: string, revokedAt: number | null = null): StoredApiKey => ({
  id,
  name: id,
  createdAt: 0,
  revokedAt,
  plan: {},
});

/** A store holding the given keys, counting its lookups; a lookup can be held open to race it. */
function fakeStore(keys: Map<string, StoredApiKey>) {
  const counter = { lookups: 0, hold: undefined as Promise<void> | undefined };
  const store = {
    async findApiKey(keyHash: string) {
      counter.lookups += 1;
      const answer = keys.get(keyHash) ?? null;
      await counter.hold;
      return answer;
    },
  } as unknown as KubbiStore;
  return { store, counter };
}

describe("the API key lookup cache", () => {
  const apiKey = makeApiKey();
  let nowMs = 0;
  const registryOn = (store: KubbiStore, maxUnknown = 1_000) =>
    new ApiKeyRegistry(store, PLAN, { ttlMs: 5_000, maxKnown: 100, maxUnknown, now: () => nowMs });

  it("answers a stored key from memory until its time is up, then reads the store again", async () => {
    const { store, counter } = fakeStore(new Map([[hashApiKey(apiKey), storedKey("key_a")]]));
    const registry = registryOn(store);
    nowMs = 0;
    expect((await registry.authenticate(apiKey))?.keyId).toBe("key_a");
    nowMs = 4_999;
    expect((await registry.authenticate(apiKey))?.keyId).toBe("key_a");
    expect(counter.lookups).toBe(1);
    nowMs = 5_000;
    await registry.authenticate(apiKey);
    expect(counter.lookups).toBe(2);
  });

  it("forgets everything on a change, and never caches a lookup that was under way when the change came", async () => {
    const keys = new Map([[hashApiKey(apiKey), storedKey("key_a")]]);
    const { store, counter } = fakeStore(keys);
    const registry = registryOn(store);
    nowMs = 0;
    let release!: () => void;
    counter.hold = new Promise((resolve) => (release = resolve));
    const underWay = registry.authenticate(apiKey);
    // Revoked while the lookup is in flight: its answer (read before) may serve this request, never a later one.
    keys.set(hashApiKey(apiKey), storedKey("key_a", 1));
    registry.forgetAll();
    release();
    expect((await underWay)?.keyId).toBe("key_a");
    counter.hold = undefined;
    expect(await registry.authenticate(apiKey)).toBeNull();
    expect(counter.lookups).toBe(2);
  });

  it("keeps unknown keys in a bound of their own: random keys grow nothing past it and push out no real key", async () => {
    const { store, counter } = fakeStore(new Map([[hashApiKey(apiKey), storedKey("key_a")]]));
    const registry = registryOn(store, 50);
    nowMs = 0;
    await registry.authenticate(apiKey);
    const attackerKeys = Array.from({ length: 500 }, makeApiKey);
    for (const key of attackerKeys) expect(await registry.authenticate(key)).toBeNull();
    const afterAttack = counter.lookups;
    // The real key is still answered from memory...
    expect((await registry.authenticate(apiKey))?.keyId).toBe("key_a");
    // ...as are the last 50 unknown keys, while the first ones were dropped to stay within the bound.
    await registry.authenticate(attackerKeys.at(-1)!);
    expect(counter.lookups).toBe(afterAttack);
    await registry.authenticate(attackerKeys[0]!);
    expect(counter.lookups).toBe(afterAttack + 1);
  });

  it("a key refused while unknown works once it exists: at once when announced, else when the refusal expires", async () => {
    const keys = new Map<string, StoredApiKey>();
    const { store } = fakeStore(keys);
    const registry = registryOn(store);
    nowMs = 0;
    expect(await registry.authenticate(apiKey)).toBeNull();
    keys.set(hashApiKey(apiKey), storedKey("key_new"));
    expect(await registry.authenticate(apiKey)).toBeNull();
    nowMs = 5_000;
    expect((await registry.authenticate(apiKey))?.keyId).toBe("key_new");

    const other = makeApiKey();
    expect(await registry.authenticate(other)).toBeNull();
    keys.set(hashApiKey(other), storedKey("key_other"));
    registry.forgetAll();
    expect((await registry.authenticate(other))?.keyId).toBe("key_other");
  });
});

/** A stored key changed straight in Redis, as the admin command does, but with no announcement (a lost message). */
async function writeKeyUnannounced(stack: Stack, apiKey: string, key: StoredApiKey) {
  await stack.db!.set(apiKeyKey(hashApiKey(apiKey)), JSON.stringify(key));
}

describe.each(["redis", "cluster"] as const)("revoking a cached API key on the %s store", (storeKind) => {
  // An hour: any revocation seen in these tests came over pub/sub, not from the cache running out.
  const env = { KUBBI_API_KEY_CACHE_SECONDS: "3600" };
  const stack = useStack(storeKind, { env });
  let sibling: ApiProcess;
  const adminEnv = () => ({
    PATH: process.env.PATH,
    ...(stack.connection.redisUrl
      ? { REDIS_URL: stack.connection.redisUrl }
      : { REDIS_CLUSTER_NODES: stack.connection.redisClusterNodes }),
  });
  const admin = (...args: string[]) => execute(process.execPath, [ADMIN, ...args], { env: adminEnv() });

  beforeAll(async () => {
    sibling = await startApi({ ...stack.connection, serverKeys: stack.api.serverKeys, env });
  }, 60_000);
  afterAll(() => sibling?.stop());

  it("kubbi-admin keys revoke reaches every API process: each refuses the key it had cached for an hour (401)", async () => {
    const created = await admin("keys", "create", "--name", "cached-bot");
    const [apiKey, keyId] = [created.stdout.trim(), /created (key_[0-9a-f]+)/.exec(created.stderr)![1]!];
    const processes = [stack.api, sibling].map((api) => producer(api.baseUrl, apiKey));
    for (const keyProducer of processes) expect((await keyProducer.list()).status).toBe(200);

    await admin("keys", "revoke", keyId);
    for (const keyProducer of processes) {
      await vi.waitFor(async () => expectEnvelope(await keyProducer.list(), 401, "unauthorized"), HEARD);
    }
  });

  it("a key sent before it existed works on every process once its creation is announced", async () => {
    const apiKey = makeApiKey();
    const processes = [stack.api, sibling].map((api) => producer(api.baseUrl, apiKey));
    for (const keyProducer of processes) expectEnvelope(await keyProducer.list(), 401, "unauthorized");

    await writeKeyUnannounced(stack, apiKey, storedKey("key_announced"));
    await announceApiKeyChange(stack.db!, "created", "key_announced");
    for (const keyProducer of processes) {
      await vi.waitFor(async () => expect((await keyProducer.list()).status).toBe(200), HEARD);
    }
  });
});

/**
 * A stored key the API has just accepted (so its lookup is cached), then revoked in Redis without an
 * announcement: the producer that uses it.
 */
async function cachedThenRevokedUnannounced(stack: Stack, id: string) {
  const apiKey = makeApiKey();
  await writeKeyUnannounced(stack, apiKey, storedKey(id));
  const keyProducer = producer(stack.api.baseUrl, apiKey);
  expect((await keyProducer.list()).status).toBe(200);
  await writeKeyUnannounced(stack, apiKey, storedKey(id, Date.now()));
  return keyProducer;
}

describe("when a revocation's announcement is lost", () => {
  const stack = useStack("redis", { env: { KUBBI_API_KEY_CACHE_SECONDS: "2" } });

  it("the revoked key is still refused once the cached lookup expires (KUBBI_API_KEY_CACHE_SECONDS)", async () => {
    const keyProducer = await cachedThenRevokedUnannounced(stack, "key_unannounced");
    await vi.waitFor(async () => expectEnvelope(await keyProducer.list(), 401, "unauthorized"), EXPIRED);
  });
});

describe("when the change feed loses its connection", () => {
  // An hour: only the reconnection can explain the key being refused.
  const stack = useStack("redis", { env: { KUBBI_API_KEY_CACHE_SECONDS: "3600" } });

  it("the process forgets what it cached once it reconnects (announcements may have been missed meanwhile)", async () => {
    const keyProducer = await cachedThenRevokedUnannounced(stack, "key_reconnect");
    // The feed's connection is dropped after a revocation nobody could have heard.
    await stack.db!.client("KILL", "TYPE", "pubsub");
    await vi.waitFor(async () => expectEnvelope(await keyProducer.list(), 401, "unauthorized"), HEARD);
  });
});
