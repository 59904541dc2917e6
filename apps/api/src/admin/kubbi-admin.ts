#!/usr/bin/env node
/**
 * kubbi-admin: operator commands, run against the Redis the API uses.
 *   kubbi-admin keys create|list|revoke ...   (see USAGE)
 *   kubbi-admin webhook set|show|delete ...
 * A new key is printed once, on stdout; only its SHA-256 is stored. Everything else goes to stderr.
 */
import { parseArgs } from "node:util";
import { parseBytes, parsePositiveInt } from "@kubbi.ai/sdk";
import { announceApiKeyChange } from "../auth/api-key-changes.js";
import { RedisStore } from "../store/redis.js";
import { hasRedis, openRedis, redisSettingsFromEnv } from "../store/redis-connection.js";
import { KeyRing } from "../crypto/keyring.js";
import { KubbiSealer } from "../crypto/kubbi-sealer.js";
import { RedisWebhookStore } from "../webhooks/redis-webhook-store.js";
import { UsageError, createKey, listKeys, revokeKey, type Output } from "./key-commands.js";
import { deleteWebhookCommand, parseEventTypes, setWebhookCommand, showWebhookCommand } from "./webhook-commands.js";

const USAGE = `usage:
  kubbi-admin keys create --name NAME [--max-files N] [--max-bytes SIZE] [--max-active N] [--rate N]
      --max-bytes   largest payload per kubbi, in bytes or with a unit: 10485760, 10MiB, 512KiB
      --max-files   files per package          --max-active  active kubbis at once
      --rate        API requests per minute
      A limit left out follows the API's defaults (KUBBI_MAX_FILES, KUBBI_MAX_KUBBI_BYTES, ...).
  kubbi-admin keys list
  kubbi-admin keys revoke KEY_ID [--purge]
      --purge also deletes the key's active kubbis (their claim URLs then answer 410 deleted)
  kubbi-admin webhook set KEY_ID URL [--events TYPE,TYPE] [--rotate-secret]
      --events  only these types (kubbi.created, kubbi.claimed, ...); left out: every type
      A new endpoint's signing secret (whsec_...) is printed once; changing an endpoint keeps its secret
      unless --rotate-secret. Needs KUBBI_KEYS (the secret is stored sealed under the server keys).
  kubbi-admin webhook show KEY_ID
  kubbi-admin webhook delete KEY_ID
REDIS_URL (or REDIS_CLUSTER_NODES, with REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS) must name the Redis the API uses.`;

const output: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parsePositiveInt(value);
  if (parsed === undefined) throw new UsageError(`--${flag} takes a positive integer, got "${value}"`);
  return parsed;
}

function byteSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseBytes(value);
  if (bytes === undefined)
    throw new UsageError(
      `--max-bytes takes bytes (10485760) or a size with a unit (10MiB, 512KiB, 1GiB), got "${value}"`,
    );
  return bytes;
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: "string" },
        "max-files": { type: "string" },
        "max-bytes": { type: "string" },
        "max-active": { type: "string" },
        rate: { type: "string" },
        purge: { type: "boolean" },
        events: { type: "string" },
        "rotate-secret": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function run(): Promise<void> {
  const { positionals, values } = parseCommandLine();
  const [group, command, ...rest] = positionals;
  if (values.help) return output.err(USAGE);
  if ((group !== "keys" && group !== "webhook") || !command)
    throw new UsageError(group ? `unknown command "${group}"` : "which command?");
  const commands = group === "keys" ? ["create", "list", "revoke"] : ["set", "show", "delete"];
  if (!commands.includes(command)) throw new UsageError(`unknown command "${group} ${command}"`);
  let settings: ReturnType<typeof redisSettingsFromEnv>;
  try {
    settings = redisSettingsFromEnv();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!hasRedis(settings))
    throw new UsageError(
      "REDIS_URL (or REDIS_CLUSTER_NODES) is not set (keys made here must be stored where every API process can read them)",
    );

  // Read every argument before connecting: a typo should not wait on Redis.
  const plan = {
    maxFiles: positiveInt("max-files", values["max-files"]),
    maxKubbiBytes: byteSize(values["max-bytes"]),
    maxActiveKubbis: positiveInt("max-active", values["max-active"]),
    ratePerMinute: positiveInt("rate", values.rate),
  };
  if (command === "create" && values.name === undefined) throw new UsageError("keys create needs --name");
  if (command === "revoke" && rest.length !== 1) throw new UsageError("keys revoke needs one KEY_ID");
  if (group === "webhook" && rest.length !== (command === "set" ? 2 : 1))
    throw new UsageError(
      command === "set" ? "webhook set needs KEY_ID and URL" : `webhook ${command} needs one KEY_ID`,
    );
  const events = parseEventTypes(values.events);
  const sealer = command === "set" ? serverKeySealer() : undefined;

  const redis = openRedis(settings, (error) => {
    output.err(`kubbi-admin: cannot reach Redis: ${error.message}`);
    process.exit(1);
  });
  // Key commands and deletes only: no creates, lists, sweeps or claims, so no retention or payload sizes.
  const { waitReplicas, waitTimeoutMs, commandTimeoutMs } = settings;
  const store = new RedisStore(redis, {
    waitReplicas,
    waitTimeoutMs,
    commandTimeoutMs,
    retentionMs: 0,
    largestPayloadBytes: 0,
  });
  const webhooks = new RedisWebhookStore(redis, commandTimeoutMs);
  try {
    if (group === "webhook") {
      const keyId = rest[0]!;
      if (command === "set")
        await setWebhookCommand(
          { keys: store, webhooks },
          sealer!,
          {
            keyId,
            url: rest[1]!,
            events,
            rotateSecret: values["rotate-secret"] ?? false,
            allowPrivate: process.env.KUBBI_WEBHOOK_ALLOW_PRIVATE === "true",
          },
          output,
        );
      else if (command === "show") await showWebhookCommand(webhooks, keyId, output);
      else await deleteWebhookCommand(webhooks, keyId, output);
    } else if (command === "create") {
      const keyId = await createKey(
        store,
        values.name!,
        Object.fromEntries(Object.entries(plan).filter(([, value]) => value !== undefined)),
        output,
      );
      // A process that was sent this key before it existed remembers it as unknown: tell it to look again.
      await announceApiKeyChange(redis, "created", keyId);
    } else if (command === "list") await listKeys(store, output);
    else {
      // Announced before the purge: API processes refuse the key at once, not after its kubbis are deleted.
      await revokeKey(store, rest[0]!, values.purge ?? false, output, () =>
        announceApiKeyChange(redis, "revoked", rest[0]!),
      );
    }
  } finally {
    await store.close();
  }
}

/** The API's key ring (KUBBI_KEYS), to seal a webhook secret the API can open. */
function serverKeySealer(): KubbiSealer {
  if (!process.env.KUBBI_KEYS)
    throw new UsageError("webhook set needs KUBBI_KEYS, the same server keys the API runs with");
  try {
    return new KubbiSealer(
      KeyRing.parse(process.env.KUBBI_KEYS, Number(process.env.KUBBI_KEY_ROTATION_SECONDS ?? 86_400)),
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

try {
  await run();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  output.err(`kubbi-admin: ${error.message}\n${USAGE}`);
  process.exitCode = 2;
}
