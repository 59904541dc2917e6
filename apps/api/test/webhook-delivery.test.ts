import { verifyWebhook } from "@kubbi.ai/sdk";
import { makeServerKeys, startApi, type ApiProcess } from "@kubbi/test-utils";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "./support/http.js";
import { useStack } from "./support/stacks.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";
import { appendEvent, environmentKeyId, eventually, pendingDeliveries, webhookApi } from "./support/webhooks.js";

/** Receivers on loopback need the operator's allowance; a short retry period is not needed (nothing is given up here). */
const WEBHOOK_ENV = { KUBBI_WEBHOOK_ALLOW_PRIVATE: "true", KUBBI_WEBHOOK_TIMEOUT_MS: "2000" };

/** Each webhook-id delivered (answered 2xx), with how many times. */
function deliveryCounts(receiver: WebhookReceiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { id } of receiver.delivered()) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe.each(["redis", "cluster"] as const)(
  "webhook delivery from the event streams, two API processes (%s)",
  (kind) => {
    const stack = useStack(kind, { env: WEBHOOK_ENV });
    let second: ApiProcess;
    /** Processes this suite started besides the stack's own (stopped after it). */
    const started: ApiProcess[] = [];
    let receiver: WebhookReceiver;
    let secret: string;
    const ownerId = () => environmentKeyId(stack.api.apiKey);
    const startSibling = async () => {
      const api = await startApi({
        ...stack.connection,
        serverKeys: stack.api.serverKeys,
        apiKey: stack.api.apiKey,
        env: WEBHOOK_ENV,
      });
      started.push(api);
      return api;
    };
    const append = (type: string, kubbiId: string, extra = {}) =>
      appendEvent(stack.db!, ownerId(), { t: type, k: kubbiId, ...extra });

    beforeAll(async () => {
      second = await startSibling();
    }, 60_000);
    afterAll(async () => {
      await Promise.all(started.map((api) => api.stop()));
      await receiver?.stop();
    });
    beforeEach(async () => {
      await receiver?.stop();
      receiver = await new WebhookReceiver().start();
      const reply = await webhookApi(stack).put({ url: receiver.url, rotate_secret: true });
      expect(reply.status).toBeLessThan(300);
      secret = reply.body.secret;
    });

    it("delivers every event once, signed (verified by the standardwebhooks package and the SDK), in order per kubbi", async () => {
      const ids: string[] = [];
      for (let round = 0; round < 10; round++) {
        for (const kubbi of ["kubbi_a", "kubbi_b", "kubbi_c"])
          ids.push(
            await append(round === 0 ? "kubbi.created" : "kubbi.claimed", kubbi, {
              n: round,
              m: 10,
              ip: "203.0.113.7",
              ua: "curl/8",
            }),
          );
      }
      await receiver.until(() => deliveryCounts(receiver).size === ids.length);
      const verifier = new Webhook(secret);
      for (const { headers, body } of receiver.received) {
        const verified = verifier.verify(body, headers as Record<string, string>) as { data: { id: string } };
        expect(headers["webhook-id"]).toBe(`${ownerId()}_${verified.data.id}`);
        expect(await verifyWebhook(body, headers as Record<string, string>, secret)).toEqual(verified);
      }
      expect([...deliveryCounts(receiver).values()].every((count) => count === 1)).toBe(true);
      for (const kubbi of ["kubbi_a", "kubbi_b", "kubbi_c"]) {
        const order = receiver
          .delivered()
          .filter(({ data }) => data.kubbi_id === kubbi)
          .map(({ data }) => data.retrieval_count);
        expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
      const first = receiver.delivered().find(({ data }) => data.kubbi_id === "kubbi_a" && data.retrieval_count === 1)!;
      expect(first).toMatchObject({
        type: "kubbi.claimed",
        timestamp: first.data.occurred_at,
        data: {
          type: "kubbi.claimed",
          kubbi_id: "kubbi_a",
          key_id: ownerId(),
          retrieval_count: 1,
          max_retrievals: 10,
          retrievals_left: 9,
          client: { address: "203.0.113.7", user_agent: "curl/8" },
        },
      });
    });

    it("deliveries to one endpoint reuse kept-alive connections: the receiver sees far fewer TCP connections than deliveries", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) ids.push(await append("kubbi.created", `kubbi_reuse_${i}`));
      await receiver.until(() => deliveryCounts(receiver).size === ids.length);
      // At most KUBBI_WEBHOOK_MAX_IN_FLIGHT (4) at a time; a few more only if one idled out between events.
      expect(receiver.connections).toBeLessThanOrEqual(ids.length / 4);
    });

    it("an event of a type this version does not know (a newer version's, mid-upgrade) is skipped and acknowledged, never holding the queue or the events page", async () => {
      const unknown = await append("kubbi.from_a_newer_version", "kubbi_u");
      const known = await append("kubbi.deleted", "kubbi_u");
      await receiver.until(() => receiver.delivered().length === 1);
      expect(receiver.delivered().map(({ id }) => id)).toEqual([`${ownerId()}_${known}`]);
      await eventually(async () => (await pendingDeliveries(stack.db!, ownerId())) === 0, "nothing left pending");
      // The events page shows the known one and resumes past both.
      const page = await call(`${stack.api.baseUrl}/api/v1/events?since=${encodeURIComponent(unknown)}`, {
        headers: { authorization: `Bearer ${stack.api.apiKey}` },
      });
      expect(page.status).toBe(200);
      expect(page.body.events.map((event: { id: string }) => event.id)).toEqual([known]);
      const upToUnknown = await call(`${stack.api.baseUrl}/api/v1/events?limit=1000`, {
        headers: { authorization: `Bearer ${stack.api.apiKey}` },
      });
      expect(upToUnknown.status).toBe(200);
      expect(upToUnknown.body.events.map((event: { id: string }) => event.id)).not.toContain(unknown);
      expect(upToUnknown.body.next_since).toBe(known);
      // A page that holds only the unknown entry is empty, and still moves the poller past it.
      const previous = await stack.db!.xrevrange(`own:{${ownerId()}}:ev`, `(${unknown}`, "-", "COUNT", 1);
      const before = previous[0]?.[0] ?? "0-0";
      const onlyUnknown = await call(`${stack.api.baseUrl}/api/v1/events?since=${before}&limit=1`, {
        headers: { authorization: `Bearer ${stack.api.apiKey}` },
      });
      expect(onlyUnknown.body).toMatchObject({ events: [], next_since: unknown, has_more: true });
    });

    it("delivers only the subscribed event types", async () => {
      await webhookApi(stack).put({ url: receiver.url, events: ["kubbi.burned"] });
      await append("kubbi.claimed", "kubbi_f");
      const burned = await append("kubbi.burned", "kubbi_f");
      await receiver.until(() => receiver.delivered().length === 1);
      await append("kubbi.burned", "kubbi_g");
      await receiver.until(() => receiver.delivered().length === 2);
      expect(receiver.delivered().map(({ type }) => type)).toEqual(["kubbi.burned", "kubbi.burned"]);
      expect(receiver.delivered()[0]!.id).toBe(`${ownerId()}_${burned}`);
    });

    it("gets every event exactly once by webhook-id after the receiver was down for a while", async () => {
      receiver.status = 503;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await append("kubbi.claimed", `kubbi_${i % 2}`, { n: i }));
      // Failing: every event of the first kubbi-in-line is tried and refused (others wait behind it).
      await receiver.until((received) => received.length >= 4);
      await receiver.stop(); // now down altogether: connections refused
      await new Promise((resolve) => setTimeout(resolve, 1500));
      receiver.status = 204;
      await receiver.start(); // back, on the same port
      await receiver.until(() => deliveryCounts(receiver).size === ids.length);
      expect([...deliveryCounts(receiver).keys()].sort()).toEqual(ids.map((id) => `${ownerId()}_${id}`).sort());
      expect([...deliveryCounts(receiver).values()].every((count) => count === 1)).toBe(true);
      for (const kubbi of ["kubbi_0", "kubbi_1"]) {
        const order = receiver
          .delivered()
          .filter(({ data }) => data.kubbi_id === kubbi)
          .map(({ data }) => data.retrieval_count);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      // A retry carries the same webhook-id and a fresh signature that still verifies.
      const verifier = new Webhook(secret);
      for (const { headers, body } of receiver.received) verifier.verify(body, headers as Record<string, string>);
    }, 90_000);

    it("deleting the endpoint drops its pending deliveries", async () => {
      receiver.status = 503;
      const dropped = await append("kubbi.created", "kubbi_dropped");
      await receiver.until((received) => received.length >= 1);
      expect((await webhookApi(stack).remove()).status).toBe(200);
      receiver.status = 204;
      await webhookApi(stack).put({ url: receiver.url });
      const kept = await append("kubbi.deleted", "kubbi_dropped");
      await receiver.until(() => receiver.delivered().length === 1);
      expect(receiver.delivered().map(({ id }) => id)).toEqual([`${ownerId()}_${kept}`]);
      expect(
        receiver.received.every(
          ({ headers }) =>
            headers["webhook-id"] === `${ownerId()}_${dropped}` || headers["webhook-id"] === `${ownerId()}_${kept}`,
        ),
      ).toBe(true);
    });

    it("an API process killed (kill -9) with deliveries pending: the other process delivers them, or one started after the last died", async () => {
      receiver.status = 503;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await append("kubbi.claimed", `kubbi_k${i}`));
      await receiver.until((received) => received.length >= 4);
      // The process holding the owner's lease has them pending: kill that one.
      const holder = await stack.db!.get(`own:{${ownerId()}}:whl`);
      const holderPid = Number(/-(\d+)-[0-9a-f]+$/.exec(holder!)![1]);
      const victim = [stack.api, second].find(({ child }) => child.pid === holderPid)!;
      const survivor = victim === stack.api ? second : stack.api;
      await victim.stop("SIGKILL");
      receiver.status = 204;
      await receiver.until(() => deliveryCounts(receiver).size === ids.length);
      expect([...deliveryCounts(receiver).values()].every((count) => count === 1)).toBe(true);
      await eventually(
        async () => (await pendingDeliveries(stack.db!, ownerId())) === 0,
        "every delivery acknowledged",
      );
      expect(survivor.child.exitCode).toBeNull();

      // Now the last process dies with deliveries pending: a process started afterwards delivers them.
      receiver.status = 503;
      const later = [await append("kubbi.deleted", "kubbi_k0"), await append("kubbi.deleted", "kubbi_k1")];
      const laterIds = new Set(later.map((id) => `${ownerId()}_${id}`));
      await receiver.until(
        (received) => received.filter(({ headers }) => laterIds.has(String(headers["webhook-id"]))).length >= 2,
      );
      await survivor.stop("SIGKILL");
      receiver.status = 204;
      await startSibling();
      await receiver.until(() => deliveryCounts(receiver).size === ids.length + later.length);
      expect([...deliveryCounts(receiver).values()].every((count) => count === 1)).toBe(true);
    }, 90_000);
  },
);

describe("webhook delivery gives up after KUBBI_WEBHOOK_RETRY_SECONDS", () => {
  const METRICS_TOKEN = "webhook-metrics-token-0123456789";
  const stack = useStack("redis", {
    env: { ...WEBHOOK_ENV, KUBBI_WEBHOOK_RETRY_SECONDS: "2", KUBBI_METRICS_TOKEN: METRICS_TOKEN },
  });
  let receiver: WebhookReceiver;
  afterAll(() => receiver?.stop());

  it("logs and counts the give-up, acknowledges it, and the kubbi's later events flow again", async () => {
    receiver = await new WebhookReceiver().start();
    receiver.status = 500;
    const secret = (await webhookApi(stack).put({ url: receiver.url })).body.secret as string;
    const ownerId = environmentKeyId(stack.api.apiKey);
    const doomed = await appendEvent(stack.db!, ownerId, { t: "kubbi.created", k: "kubbi_x" });
    await eventually(async () => stack.api.output().includes("webhook given up"), "the give-up is logged");
    await eventually(async () => (await pendingDeliveries(stack.db!, ownerId)) === 0, "the give-up is acknowledged");
    const metrics = await fetch(`${stack.api.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await metrics.text();
    expect(text).toMatch(/kubbi_webhook_deliveries_total\{outcome="given_up"\} 1\b/);
    expect(text).toMatch(/kubbi_webhook_deliveries_total\{outcome="failed_attempt"\} [1-9]/);
    const line = stack.api
      .output()
      .split("\n")
      .find((entry) => entry.includes("webhook given up"))!;
    expect(JSON.parse(line)).toMatchObject({
      key_id: ownerId,
      event_id: doomed,
      type: "kubbi.created",
      reason: "HTTP 500",
    });
    // The log names the key and the event, never where it was sent or how it was signed.
    expect(stack.api.output()).not.toContain(receiver.url);
    expect(stack.api.output()).not.toContain(new URL(receiver.url).host);
    expect(stack.api.output()).not.toContain(secret.slice("whsec_".length));

    receiver.status = 204;
    const next = await appendEvent(stack.db!, ownerId, { t: "kubbi.deleted", k: "kubbi_x" });
    await receiver.until(() => receiver.delivered().length === 1);
    expect(receiver.delivered()[0]!.id).toBe(`${ownerId}_${next}`);
  }, 90_000);
});

describe("webhook attempts: at most KUBBI_WEBHOOK_MAX_IN_FLIGHT at once, each cut off after KUBBI_WEBHOOK_TIMEOUT_MS", () => {
  const stack = useStack("redis", {
    env: { ...WEBHOOK_ENV, KUBBI_WEBHOOK_MAX_IN_FLIGHT: "2", KUBBI_WEBHOOK_TIMEOUT_MS: "1000" },
  });
  let receiver: WebhookReceiver;
  const ownerId = () => environmentKeyId(stack.api.apiKey);
  beforeEach(async () => {
    await receiver?.stop();
    receiver = await new WebhookReceiver().start();
    await webhookApi(stack).put({ url: receiver.url });
  });
  afterAll(() => receiver?.stop());

  it("keeps at most two attempts open at once, even with six kubbis' events waiting", async () => {
    receiver.hold = true;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(await appendEvent(stack.db!, ownerId(), { t: "kubbi.created", k: `kubbi_p${i}` }));
    await receiver.until(() => receiver.open === 2);
    receiver.release();
    await receiver.until(() => deliveryCounts(receiver).size === ids.length);
    expect(receiver.maxOpen).toBe(2);
  });

  it("an attempt the receiver does not answer in time fails and is retried with the same webhook-id", async () => {
    receiver.hold = true;
    const id = await appendEvent(stack.db!, ownerId(), { t: "kubbi.expired", k: "kubbi_slow" });
    // The first attempt is cut off (the receiver sees its connection close), then a retry arrives.
    await receiver.until(() => receiver.arrivals >= 2 && receiver.open <= 1);
    await eventually(async () => stack.api.output().includes('"reason":"timed out"'), "the timeout is logged");
    receiver.release();
    await receiver.until(() => receiver.delivered().length === 1);
    expect(receiver.delivered()[0]!.id).toBe(`${ownerId()}_${id}`);
  });
});

describe("a process whose server keys cannot open the signing secret", () => {
  const stack = useStack("redis", { env: WEBHOOK_ENV });
  const started: ApiProcess[] = [];
  let receiver: WebhookReceiver;
  afterAll(async () => {
    await Promise.all(started.map((api) => api.stop()));
    await receiver?.stop();
  });

  it("hands the owner back, so a process that can delivers", async () => {
    receiver = await new WebhookReceiver().start();
    await webhookApi(stack).put({ url: receiver.url });
    const ownerId = environmentKeyId(stack.api.apiKey);
    const withKeys = (serverKeys: string) =>
      startApi({ ...stack.connection, serverKeys, apiKey: stack.api.apiKey, env: WEBHOOK_ENV }).then((api) => {
        started.push(api);
        return api;
      });
    // The only process left has other keys (a rotation gone wrong): it takes the owner and cannot sign.
    const wrongKeys = await withKeys(makeServerKeys("k9"));
    await stack.api.stop();
    await eventually(async () => wrongKeys.output().includes("webhook secret does not open"), "the refusal is logged");
    const id = await appendEvent(stack.db!, ownerId, { t: "kubbi.created", k: "kubbi_r" });
    await withKeys(stack.api.serverKeys);
    await receiver.until(() => receiver.delivered().length === 1);
    expect(receiver.delivered()[0]!.id).toBe(`${ownerId}_${id}`);
    expect(wrongKeys.output()).not.toContain(receiver.url);
  }, 90_000);
});
