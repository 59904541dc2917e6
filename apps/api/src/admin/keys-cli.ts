#!/usr/bin/env node
/**
 * kubbi-keys: create, list and revoke producer API keys in Redis.
 *   kubbi-keys create --name NAME [--max-active N] [--max-files N] [--max-bytes N] [--rate N]
 *   kubbi-keys list
 *   kubbi-keys revoke KEY_ID
 * A new key is printed once, on stdout; only its SHA-256 is stored. Everything else goes to stderr.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { hashApiKey, newApiKey } from "../crypto/tokens.js";
import { RedisStore } from "../store/redis.js";
import { hasRedis, openRedis, redisSettingsFromEnv, type RedisSettings } from "../store/redis-connection.js";
import type { StoredApiKey } from "../store/store.js";

const USAGE = `usage:
  kubbi-keys create --name NAME [--max-active N] [--max-files N] [--max-bytes N] [--rate N]
  kubbi-keys list
  kubbi-keys revoke KEY_ID
REDIS_URL (or REDIS_CLUSTER_NODES, with REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS) must name the Redis the API uses.`;

function fail(message: string): never {
  process.stderr.write(`kubbi-keys: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) fail(`--${name} takes a positive integer`);
  return parsed;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    "max-active": { type: "string" },
    "max-files": { type: "string" },
    "max-bytes": { type: "string" },
    rate: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const [command, ...rest] = positionals;
if (values.help || !command) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
let settings: RedisSettings;
try {
  settings = redisSettingsFromEnv();
} catch (error) {
  fail((error as Error).message);
}
if (!hasRedis(settings)) fail("REDIS_URL (or REDIS_CLUSTER_NODES) is not set (keys made here must be stored where every API process can read them)");
const store = new RedisStore(openRedis(settings, (error) => fail(`cannot reach Redis: ${error.message}`)), { waitReplicas: 0, waitTimeoutMs: 0, retentionMs: 0, commandTimeoutMs: settings.commandTimeoutMs, largestPayloadBytes: 0 });

try {
  if (command === "create") {
    if (!values.name) fail("create needs --name");
    const plan: StoredApiKey["plan"] = {};
    const limits = {
      maxActiveKubbis: positiveInt("max-active", values["max-active"]),
      maxFiles: positiveInt("max-files", values["max-files"]),
      maxKubbiBytes: positiveInt("max-bytes", values["max-bytes"]),
      ratePerMinute: positiveInt("rate", values.rate),
    };
    for (const [limit, value] of Object.entries(limits)) if (value !== undefined) plan[limit as keyof typeof plan] = value;
    const apiKey = newApiKey();
    const stored: StoredApiKey = { id: `key_${randomBytes(8).toString("hex")}`, name: values.name, createdAt: Date.now(), revokedAt: null, plan };
    await store.saveApiKey(hashApiKey(apiKey), stored);
    process.stderr.write(`created ${stored.id} (${stored.name}). The key is shown once; store it now:\n`);
    process.stdout.write(`${apiKey}\n`);
  } else if (command === "list") {
    const keys = await store.listApiKeys();
    for (const key of keys.sort((a, b) => a.createdAt - b.createdAt)) {
      const state = key.revokedAt === null ? "active" : `revoked ${new Date(key.revokedAt).toISOString()}`;
      process.stdout.write(`${key.id}\t${key.name}\t${new Date(key.createdAt).toISOString()}\t${state}\t${JSON.stringify(key.plan)}\n`);
    }
  } else if (command === "revoke") {
    const [keyId] = rest;
    if (!keyId) fail("revoke needs a KEY_ID");
    if (!(await store.revokeApiKey(keyId, Date.now()))) fail(`no key with id ${keyId}`);
    process.stderr.write(`revoked ${keyId}\n`);
  } else {
    fail(`unknown command "${command}"\n${USAGE}`);
  }
} finally {
  await store.close();
}
