import { verifyWebhook } from "@kubbi.ai/sdk";
import { makeServerKeys, startApi, type ApiProcess } from "@kubbi/test-utils";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "./support/http.js";
import { useStack } from "./support/stacks.js";
import { WebhookReceiver, type ReceivedWebhook } from "./support/webhook-receiver.js";
import { environmentKeyId, eventually, webhookApi } from "./support/webhooks.js";

/** Loopback receivers need the allowance; the expiry scheduler looks often so an expiry arrives soon. */
const ENV = { KUBBI_WEBHOOK_ALLOW_PRIVATE: "true", KUBBI_EXPIRY_CHECK_MS: "200" };

const claimAs = (claimUrl: string, userAgent: string) =>
  call(`${claimUrl}/claim`, { method: "POST", headers: { "user-agent": userAgent } });

/** The delivered events of one kubbi, in arrival order, as [type, retrieval_count]. */
const historyOf = (receiver: WebhookReceiver, kubbiId: string) =>
  receiver
    .delivered()
    .filter(({ data }) => data.kubbi_id === kubbiId)
    .map(({ type, data }) => [type, data.retrieval_count]);

describe.each(["redis", "memory"] as const)("webhooks carry the real events (%s)", (kind) => {
  const stack = useStack(kind, { env: ENV });
  let receiver: WebhookReceiver;
  let secret: string;
  afterAll(() => receiver?.stop());
  beforeEach(async () => {
    await receiver?.stop();
    receiver = await new WebhookReceiver().start();
    secret = (await webhookApi(stack).put({ url: receiver.url, rotate_secret: true })).body.secret;
  });

  it("each event type arrives, in order per kubbi, signed; no body holds a claim token, the content, the metadata or a key", async () => {
    const content = "the-content-that-must-never-leave-9f2c";
    const metadata = { purpose: "metadata-that-must-never-leave-77ab" };
    const burned = await stack.producer.create({
      content,
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 2,
      metadata,
    });
    expect((await claimAs(burned.body.claim_url, "agent-a/1")).status).toBe(200);
    expect((await claimAs(burned.body.claim_url, "agent-b/2")).status).toBe(200);
    const deleted = await stack.producer.create({ content, content_type: "text/plain", ttl_seconds: 600, metadata });
    expect((await stack.producer.remove(deleted.body.id)).status).toBe(200);
    const expired = await stack.producer.create({ content, content_type: "text/plain", ttl_seconds: 1, metadata });

    await receiver.until(() => historyOf(receiver, expired.body.id).length === 2);
    await receiver.until(() => historyOf(receiver, burned.body.id).length === 4);
    expect(historyOf(receiver, burned.body.id)).toEqual([
      ["kubbi.created", 0],
      ["kubbi.claimed", 1],
      ["kubbi.claimed", 2],
      ["kubbi.burned", 2],
    ]);
    expect(historyOf(receiver, deleted.body.id)).toEqual([
      ["kubbi.created", 0],
      ["kubbi.deleted", 0],
    ]);
    expect(historyOf(receiver, expired.body.id)).toEqual([
      ["kubbi.created", 0],
      ["kubbi.expired", 0],
    ]);
    const claims = receiver.delivered().filter(({ type }) => type === "kubbi.claimed");
    expect(claims.map(({ data }) => data.client.user_agent)).toEqual(["agent-a/1", "agent-b/2"]);

    const reference = new Webhook(secret);
    for (const { headers, body } of receiver.received) {
      const event = await verifyWebhook(body, headers as Record<string, string>, secret);
      expect(reference.verify(body, headers as Record<string, string>)).toEqual(event);
      expect(headers["webhook-id"]).toBe(`${environmentKeyId(stack.api.apiKey)}_${event.data.id}`);
    }
    const everything = receiver.received
      .map(({ headers, body }: ReceivedWebhook) => JSON.stringify(headers) + body)
      .join("\n");
    for (const created of [burned, deleted, expired]) {
      expect(everything).not.toContain(created.body.claim_token);
      expect(everything).not.toContain(new URL(created.body.claim_url).pathname);
    }
    for (const secretText of [content, metadata.purpose, stack.api.apiKey, secret.slice("whsec_".length)])
      expect(everything).not.toContain(secretText);
  });

  // Two processes with different server keys on one store: the memory store lives in one process.
  it.skipIf(kind === "memory")(
    "kubbi.claim_failed arrives too; a process that cannot open the secret leaves the deliveries to one that can",
    async () => {
      const created = await stack.producer.create({
        content: "x",
        content_type: "text/plain",
        ttl_seconds: 600,
        max_retrievals: 1,
      });
      // Its keys open neither the kubbi nor the webhook secret (both sealed under the stack's k1).
      const wrongKeys: ApiProcess = await startApi({
        ...stack.connection,
        serverKeys: makeServerKeys("k9"),
        apiKey: stack.api.apiKey,
        env: ENV,
      });
      try {
        expect((await claimAs(`${wrongKeys.baseUrl}/r/${created.body.claim_token}`, "unlucky/1")).status).toBe(500);
        await receiver.until(() => historyOf(receiver, created.body.id).length === 4);
      } finally {
        await wrongKeys.stop();
      }
      expect(historyOf(receiver, created.body.id)).toEqual([
        ["kubbi.created", 0],
        ["kubbi.claimed", 1],
        ["kubbi.burned", 1],
        ["kubbi.claim_failed", 0],
      ]);
      expect(receiver.delivered().at(-1)!.data.client.user_agent).toBe("unlucky/1");
    },
    90_000,
  );
});

describe("an unclaimed kubbi's kubbi.expired, with two API processes running", () => {
  const stack = useStack("redis", { env: ENV });
  let second: ApiProcess;
  let receiver: WebhookReceiver;
  afterAll(async () => {
    await second?.stop();
    await receiver?.stop();
  });

  it("is delivered once", async () => {
    second = await startApi({
      ...stack.connection,
      serverKeys: stack.api.serverKeys,
      apiKey: stack.api.apiKey,
      env: ENV,
    });
    receiver = await new WebhookReceiver().start();
    // An expiry that happened before the endpoint was set is in the log, and is not replayed to it.
    const before = (await stack.producer.create({ content: "b", content_type: "text/plain", ttl_seconds: 1 })).body.id;
    await eventually(async () => {
      const log = await call(`${stack.api.baseUrl}/api/v1/kubbis/${before}/events`, {
        headers: { authorization: `Bearer ${stack.api.apiKey}` },
      });
      return log.body.events.some(({ type }: { type: string }) => type === "kubbi.expired");
    }, "the early kubbi expired");
    await webhookApi(stack).put({ url: receiver.url, events: ["kubbi.expired"] });
    const kubbis: string[] = [];
    for (let i = 0; i < 3; i++)
      kubbis.push(
        (await stack.producer.create({ content: `x${i}`, content_type: "text/plain", ttl_seconds: 1 })).body.id,
      );
    await receiver.until(() => receiver.delivered().length >= 3);
    // Both processes' schedulers and workers have had many turns since (200 ms checks); then another kubbi
    // expires, so its delivery marks a point after which a duplicate of the first three would have shown.
    const later = (await stack.producer.create({ content: "y", content_type: "text/plain", ttl_seconds: 2 })).body.id;
    await receiver.until(() => receiver.delivered().some(({ data }) => data.kubbi_id === later));
    const expiries = receiver.delivered().filter(({ data }) => kubbis.includes(data.kubbi_id));
    expect(expiries.map(({ data }) => data.kubbi_id).sort()).toEqual([...kubbis].sort());
    expect(new Set(receiver.received.map(({ headers }) => headers["webhook-id"])).size).toBe(receiver.received.length);
    expect(receiver.delivered().some(({ data }) => data.kubbi_id === before)).toBe(false);
  }, 90_000);
});
