import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import type { KubbiStore } from "../store/store.js";
import { EVENT_TYPES, type EventType } from "../events/types.js";
import { saveEndpoint } from "../webhooks/endpoint-config.js";
import { webhookUrlProblem } from "../webhooks/url-policy.js";
import type { WebhookStore } from "../webhooks/webhook-store.js";
import { UsageError, type Output } from "./key-commands.js";
import { escapeForTerminal } from "./text.js";

/** Key ids the API gives environment keys (KUBBI_API_KEYS): not in the store, so only their shape is checked. */
const ENVIRONMENT_KEY_ID = /^env_[0-9a-f]{16}$/;

/** "--events a,b" as event types; undefined (the flag left out) means every type. */
export function parseEventTypes(list: string | undefined): EventType[] | null {
  if (list === undefined) return null;
  const types = list
    .split(",")
    .map((type) => type.trim())
    .filter(Boolean);
  const unknown = types.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type));
  if (types.length === 0 || unknown.length > 0)
    throw new UsageError(`--events takes a comma-separated list of ${EVENT_TYPES.join(", ")}`);
  return [...new Set(types)] as EventType[];
}

async function checkKeyExists(store: KubbiStore, keyId: string): Promise<void> {
  if (ENVIRONMENT_KEY_ID.test(keyId)) return;
  if (!(await store.listApiKeys()).some((key) => key.id === keyId))
    throw new UsageError(`no key with id ${escapeForTerminal(keyId)}`);
}

export interface SetCommand {
  keyId: string;
  url: string;
  events: EventType[] | null;
  rotateSecret: boolean;
  allowPrivate: boolean;
}

/** Sets a key's endpoint; a new secret (a new endpoint, or --rotate-secret) is printed once, on stdout. */
export async function setWebhookCommand(
  stores: { keys: KubbiStore; webhooks: WebhookStore },
  sealer: KubbiSealer,
  command: SetCommand,
  output: Output,
): Promise<void> {
  const problem = webhookUrlProblem(command.url, command.allowPrivate);
  if (problem) throw new UsageError(problem);
  await checkKeyExists(stores.keys, command.keyId);
  const saved = await saveEndpoint(
    stores.webhooks,
    sealer,
    command.keyId,
    { url: command.url, events: command.events, rotateSecret: command.rotateSecret },
    Date.now(),
  );
  const what = saved.created ? "set" : "updated";
  if (saved.secret === undefined) {
    output.err(
      `${what} the webhook of ${command.keyId}; its signing secret is unchanged (--rotate-secret makes a new one).`,
    );
    return;
  }
  output.err(`${what} the webhook of ${command.keyId}. Its signing secret is shown once; give it to the receiver now:`);
  output.out(saved.secret);
}

export async function showWebhookCommand(webhooks: WebhookStore, keyId: string, output: Output): Promise<void> {
  const endpoint = await webhooks.getEndpoint(keyId);
  if (!endpoint) throw new UsageError(`${escapeForTerminal(keyId)} has no webhook`);
  output.out(
    [
      `url     ${escapeForTerminal(endpoint.url)}`,
      `events  ${endpoint.events === null ? "all" : endpoint.events.join(",")}`,
      `created ${new Date(endpoint.createdAt).toISOString()}`,
      `updated ${new Date(endpoint.updatedAt).toISOString()}`,
    ].join("\n"),
  );
}

export async function deleteWebhookCommand(webhooks: WebhookStore, keyId: string, output: Output): Promise<void> {
  if (!(await webhooks.deleteEndpoint(keyId))) throw new UsageError(`${escapeForTerminal(keyId)} has no webhook`);
  output.err(`deleted the webhook of ${keyId}; deliveries still pending for it are dropped.`);
}
