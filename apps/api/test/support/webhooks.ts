import { createHash } from "node:crypto";
import { call } from "./http.js";
import type { Cluster, Redis } from "ioredis";
import type { Stack } from "./stacks.js";

/** The webhook routes of one key. */
export function webhookApi(stack: Stack, apiKey = stack.api.apiKey) {
  const url = `${stack.api.baseUrl}/api/v1/webhook`;
  const auth = { authorization: `Bearer ${apiKey}` };
  return {
    put: (body: unknown) =>
      call(url, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    get: () => call(url, { headers: auth }),
    remove: () => call(url, { method: "DELETE", headers: auth }),
  };
}

/** The id the API gives a key from KUBBI_API_KEYS. */
export const environmentKeyId = (apiKey: string) =>
  `env_${createHash("sha256").update(apiKey).digest("hex").slice(0, 16)}`;

/** Fields of one event stream entry (EVENTS.md), for tests that feed the delivery queue directly. */
export interface EventFields {
  t: string;
  k: string;
  n?: number;
  m?: number | "";
  ip?: string;
  ua?: string;
}

/** Appends an event to the owner's stream as the event log does (XADD with a Redis id). */
export async function appendEvent(db: Redis | Cluster, ownerId: string, fields: EventFields): Promise<string> {
  const entry = { at: Date.now(), n: 0, m: "", ip: "", ua: "", ...fields };
  return (await db.xadd(`own:{${ownerId}}:ev`, "*", ...Object.entries(entry).flat().map(String)))!;
}

/** Polls until check() is true (a bounded safety net, not a timing assertion). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deliveries read from the owner's stream and not yet acknowledged. */
export async function pendingDeliveries(db: Redis | Cluster, ownerId: string): Promise<number> {
  const [count] = (await db.xpending(`own:{${ownerId}}:ev`, "webhooks")) as [number];
  return count;
}
