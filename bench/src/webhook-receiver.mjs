// @ts-check
/**
 * The receiver the webhook scenarios' endpoint points at: node:http on 127.0.0.1 in the orchestrator,
 * answering 204 at once and counting what arrived, so the report shows that deliveries really flowed.
 */
import { createServer } from "node:http";
import { eventStreamKey } from "@kubbi/api/dist/store/keys.js";
import { environmentKeyId } from "./stack.mjs";

const CATCH_UP_POLL_MS = 100;

export async function startWebhookReceiver() {
  /** webhook-ids answered; a retry of one (at least once) arrives with the same id and counts once. */
  const delivered = new Set();
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const id = req.headers["webhook-id"];
    if (typeof id === "string") delivered.add(id);
    req.resume();
    req.on("end", () => {
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const counts = () => ({ requests, delivered: delivered.size });
  return {
    url: `http://127.0.0.1:${address.port}/bench/webhooks`,
    counts,
    /**
     * Waits until every event so far (`eventsSoFar()`) has arrived, or `timeoutMs` passed, so a backlog left
     * by one run is not delivered (on the API's CPU) during the next scenario's run. Resolves to the seconds waited.
     */
    async catchUp(eventsSoFar, timeoutMs) {
      const startedAt = Date.now();
      while (delivered.size < (await eventsSoFar()) && Date.now() - startedAt < timeoutMs)
        await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
      return (Date.now() - startedAt) / 1000;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** Sets the key's endpoint to `url`, subscribed to every event type (PUT /api/v1/webhook, events null). */
export async function setWebhookEndpoint(baseUrl, apiKey, url) {
  const response = await fetch(`${baseUrl}/api/v1/webhook`, {
    method: "PUT",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ url, events: null }),
  });
  if (response.status !== 201)
    throw new Error(`setting the webhook endpoint answered ${response.status}: ${await response.text()}`);
}

/**
 * Every event the API wrote for an environment key so far: its stream's entries-added (Redis 7), exact
 * where the load generator's answers are not (requests still in flight when a run ends are not counted).
 */
export function eventsWritten(redis, apiKey) {
  const stream = eventStreamKey(environmentKeyId(apiKey));
  return async () => {
    // No event yet: no stream.
    if (!(await redis.client.exists(stream))) return 0;
    const info = /** @type {unknown[]} */ (await redis.client.xinfo("STREAM", stream));
    return Number(info[info.indexOf("entries-added") + 1]);
  };
}
