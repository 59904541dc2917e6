import { randomBytes } from "node:crypto";
import { hashApiKey, newApiKey } from "../crypto/tokens.js";
import type { KubbiStore, StoredApiKey } from "../store/store.js";
import { formatBytes } from "@kubbi.ai/sdk";
import { escapeForTerminal, formatTable, isAcceptableName } from "./text.js";

/** A mistake in how the command was called: the message and the usage go to stderr, exit code 2. */
export class UsageError extends Error {}

export interface Output {
  /** Results, for pipes: the new key, the list. */
  out(text: string): void;
  /** Everything said to the operator. */
  err(text: string): void;
}

type PlanOverrides = StoredApiKey["plan"];

const kubbis = (count: number) => `${count} active ${count === 1 ? "kubbi" : "kubbis"}`;
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Stores a new key (its SHA-256 only), prints the key once, on stdout, and returns its id. */
export async function createKey(store: KubbiStore, name: string, plan: PlanOverrides, output: Output): Promise<string> {
  if (!isAcceptableName(name)) {
    throw new UsageError("--name must be 1-100 characters with no control, bidirectional or invisible characters");
  }
  const apiKey = newApiKey();
  const stored: StoredApiKey = {
    id: `key_${randomBytes(8).toString("hex")}`,
    name,
    createdAt: Date.now(),
    revokedAt: null,
    plan,
  };
  await store.saveApiKey(hashApiKey(apiKey), stored);
  output.err(`created ${stored.id} (${name}). The key is shown once; store it now:`);
  output.out(apiKey);
  return stored.id;
}

/** One row per key under a header row; names escaped so no name can fake a row or a column. */
export async function listKeys(store: KubbiStore, output: Output): Promise<void> {
  const keys = (await store.listApiKeys()).sort((a, b) => a.createdAt - b.createdAt);
  const orDefault = <T>(value: T | undefined, show: (value: T) => string) =>
    value === undefined ? "default" : show(value);
  const rows = keys.map((key) => [
    key.id,
    escapeForTerminal(key.name),
    isoSeconds(key.createdAt),
    key.revokedAt === null ? "active" : `revoked ${isoSeconds(key.revokedAt)}`,
    orDefault(key.plan.maxFiles, String),
    orDefault(key.plan.maxKubbiBytes, formatBytes),
    orDefault(key.plan.maxActiveKubbis, String),
    orDefault(key.plan.ratePerMinute, (rate) => `${rate}/min`),
  ]);
  output.out(
    formatTable([["ID", "NAME", "CREATED", "STATE", "MAX FILES", "MAX BYTES", "MAX ACTIVE", "RATE"], ...rows]),
  );
  if (keys.length === 0) output.err("no keys yet: kubbi-admin keys create --name NAME");
}

/**
 * Revokes a key: it gets 401 from now on (`announce` tells the API processes, which cache key lookups).
 * Its active kubbis stay claimable (nobody can delete them through the API any more) unless `purge`
 * deletes them, which turns their claim URLs into 410 deleted.
 */
export async function revokeKey(
  store: KubbiStore,
  keyId: string,
  purge: boolean,
  output: Output,
  announce: () => Promise<void>,
): Promise<void> {
  const now = Date.now();
  if (!(await store.revokeApiKey(keyId, now))) throw new UsageError(`no key with id ${escapeForTerminal(keyId)}`);
  await announce();
  const active = await store.activeTokenHashes(keyId, now);
  if (!purge) {
    output.err(
      active.length === 0
        ? `revoked ${keyId}; it has no active kubbis.`
        : `revoked ${keyId}. Its ${kubbis(active.length)} stay claimable until they expire; to delete them now: kubbi-admin keys revoke ${keyId} --purge`,
    );
    return;
  }
  let deleted = 0;
  for (const tokenHash of active) if ((await store.delete(tokenHash, keyId, Date.now())) === "ok") deleted += 1;
  output.err(`revoked ${keyId} and deleted its ${kubbis(deleted)}: their claim URLs now answer 410 deleted.`);
}
