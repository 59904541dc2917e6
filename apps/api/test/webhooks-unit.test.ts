import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isForbiddenAddress } from "../src/webhooks/address-policy.js";
import { type EndpointAgent, endpointAgent } from "../src/webhooks/endpoint-agent.js";
import { postWebhook } from "../src/webhooks/post-webhook.js";
import { retryDelayMs } from "../src/webhooks/retry-delay.js";
import { newWebhookSecret, signWebhook } from "../src/webhooks/signing.js";
import { webhookUrlProblem } from "../src/webhooks/url-policy.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("webhook signing (Standard Webhooks)", () => {
  const body = JSON.stringify({ type: "kubbi.claimed", timestamp: "2026-12-01T21:30:00.000Z", data: { id: "1-0" } });

  it("makes whsec_ secrets whose signatures the reference standardwebhooks package verifies", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const headers = signWebhook(secret, "key_1_1764621000000-0", nowSeconds(), body);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("is rejected by the reference package for a tampered body, an old timestamp or another secret", () => {
    const secret = newWebhookSecret();
    const headers = signWebhook(secret, "key_1_1-0", nowSeconds(), body);
    expect(() => new Webhook(secret).verify(body.replace("claimed", "deleted"), { ...headers })).toThrow(
      /No matching signature/,
    );
    const old = signWebhook(secret, "key_1_1-0", nowSeconds() - 10 * 60, body);
    expect(() => new Webhook(secret).verify(body, { ...old })).toThrow(/too old/);
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
  });
});

describe("where webhooks may go", () => {
  it("refuses loopback, private, link-local, CGNAT, unique-local, metadata and unroutable addresses", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.0.9",
      "0.0.0.0",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.100.100.200",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fe80::1",
      "fc00::1",
      "fd00:ec2::254",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::10.0.0.1",
      "not an address",
    ])
      expect(isForbiddenAddress(address), address).toBe(true);
    for (const address of [
      "93.184.215.14",
      "1.1.1.1",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:1.1.1.1",
    ])
      expect(isForbiddenAddress(address), address).toBe(false);
  });

  it("refuses at set time what the URL alone gives away, with a reason; allows it all with KUBBI_WEBHOOK_ALLOW_PRIVATE", () => {
    expect(webhookUrlProblem("https://hooks.example.com/kubbi", false)).toBeUndefined();
    expect(webhookUrlProblem("http://hooks.example.com/kubbi", false)).toBe("url must use https");
    expect(webhookUrlProblem("ftp://hooks.example.com/", false)).toBe("url must use https");
    expect(webhookUrlProblem("not a url", false)).toMatch(/absolute URL/);
    expect(webhookUrlProblem("https://user:pw@hooks.example.com/", false)).toMatch(/user name or password/);
    for (const url of [
      "https://127.0.0.1/",
      "https://[::1]/",
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.5/",
      "https://[fd00:ec2::254]/",
      "https://[::ffff:127.0.0.1]/",
      "https://2130706433/", // 127.0.0.1 as one number: the URL parser normalises it
      "https://0x7f.1/",
    ])
      expect(webhookUrlProblem(url, false), url).toMatch(/loopback, private, link-local or metadata/);
    expect(webhookUrlProblem("https://localhost/", false)).toMatch(/this host/);
    expect(webhookUrlProblem("https://api.localhost./", false)).toMatch(/this host/);
    expect(webhookUrlProblem("http://127.0.0.1:8080/", true)).toBeUndefined();
    expect(webhookUrlProblem(`https://a.example/${"x".repeat(2048)}`, false)).toMatch(/at most 2048/);
  });

  it("backs off exponentially with jitter, capped at ten minutes", () => {
    expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1, () => 0)).toBe(500);
    expect(retryDelayMs(40, () => 1)).toBe(600_000);
  });
});

describe("one webhook attempt against real receivers", () => {
  const receiver = new WebhookReceiver();
  const elsewhere = new WebhookReceiver();
  const agents: EndpointAgent[] = [];
  beforeAll(async () => {
    await receiver.start();
    await elsewhere.start();
  });
  afterAll(async () => {
    for (const agent of agents) agent.destroy();
    await receiver.stop();
    await elsewhere.stop();
  });
  /** A kept-alive connection pool as the worker makes one per endpoint. */
  const poolFor = (url: string, allowPrivate: boolean, maxSockets = 4) => {
    const agent = endpointAgent(new URL(url), { maxSockets, allowPrivate });
    agents.push(agent);
    return agent;
  };
  const send = (url: string, allowPrivate: boolean, agent = poolFor(url, allowPrivate), timeoutMs = 5_000) =>
    postWebhook(new URL(url), { "webhook-id": "x" }, "{}", { timeoutMs, allowPrivate, agent });

  it("never connects to a loopback address without KUBBI_WEBHOOK_ALLOW_PRIVATE, even by a name that resolves to it at connect time", async () => {
    const port = new URL(receiver.url).port;
    // https://localhost would be refused at set time; here the stored URL is tried as a rebinding name would be.
    expect(await send(`https://localhost:${port}/`, false)).toEqual({ delivered: false, reason: "forbidden address" });
    expect(await send(`https://127.0.0.1:${port}/`, false)).toEqual({ delivered: false, reason: "forbidden address" });
    expect(await send(`https://[::ffff:7f00:1]:${port}/`, false)).toEqual({
      delivered: false,
      reason: "forbidden address",
    });
    expect(await send(receiver.url, false)).toEqual({ delivered: false, reason: "not https" });
    expect(receiver.received).toHaveLength(0);
    expect(await send(receiver.url, true)).toEqual({ delivered: true, status: 204 });
    expect(receiver.received).toHaveLength(1);
  });

  it("does not follow a redirect, and keeps nothing of the response body", async () => {
    receiver.status = 307;
    receiver.location = elsewhere.url;
    const result = await send(receiver.url, true);
    receiver.status = 204;
    receiver.location = undefined;
    expect(result).toEqual({ delivered: false, reason: "HTTP 307" });
    expect(JSON.stringify(result)).not.toContain("not for you");
    expect(elsewhere.received).toHaveLength(0);
  });

  it("reuses kept-alive connections: twenty attempts through one endpoint's pool open at most its size", async () => {
    const agent = poolFor(receiver.url, true, 2);
    const connectionsBefore = receiver.connections;
    for (let round = 0; round < 10; round++)
      expect(await Promise.all([send(receiver.url, true, agent), send(receiver.url, true, agent)])).toEqual([
        { delivered: true, status: 204 },
        { delivered: true, status: 204 },
      ]);
    expect(receiver.connections - connectionsBefore).toBeLessThanOrEqual(2);
  });

  it("an attempt cut off by its timeout closes its connection, so the pool's only socket is not held by a hung response", async () => {
    const agent = poolFor(receiver.url, true, 1);
    receiver.hold = true;
    expect(await send(receiver.url, true, agent, 300)).toEqual({ delivered: false, reason: "timed out" });
    // The receiver sees the hung request's connection closed by the sender.
    await receiver.until(() => receiver.open === 0);
    receiver.release();
    expect(await send(receiver.url, true, agent)).toEqual({ delivered: true, status: 204 });
  });

  it("a pooled connection the receiver closed meanwhile is tried once more on a new one, not counted as a failed attempt", async () => {
    // A receiver that drops its first connection when a second request comes over it (its idle timeout won the race).
    let connections = 0;
    const dropping = createServer((req, res) => {
      const socket = req.socket as Socket & { requests?: number };
      socket.requests = (socket.requests ?? 0) + 1;
      if (socket.requests === 2 && connections === 1) return socket.destroy();
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    }).on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}/hooks`;
      const agent = poolFor(url, true, 1);
      expect(await send(url, true, agent)).toEqual({ delivered: true, status: 204 });
      expect(await send(url, true, agent)).toEqual({ delivered: true, status: 204 });
      expect(connections).toBe(2);
    } finally {
      dropping.closeAllConnections();
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it("checks the address of every connection a pool opens: a pooled name resolving to loopback is refused each time", async () => {
    const port = new URL(receiver.url).port;
    const agent = poolFor(`https://localhost:${port}/`, false, 1);
    const connectionsBefore = receiver.connections;
    for (let attempt = 0; attempt < 3; attempt++)
      expect(await send(`https://localhost:${port}/`, false, agent)).toEqual({
        delivered: false,
        reason: "forbidden address",
      });
    expect(receiver.connections).toBe(connectionsBefore);
  });
});
