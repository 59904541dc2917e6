import { createHash, randomBytes } from "node:crypto";
import { freePort } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumer, producer } from "./support/http.js";
import { expectEnvelope } from "./support/http.js";
import { startStack, tokenOf, type Stack } from "./support/stacks.js";

type Samples = Map<string, number>;

/** Prometheus text format 0.0.4: `name{label="value",...} number` per line; comments skipped. */
function parseScrape(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}=${value}`)
      .sort();
    samples.set(`${match[1]}{${labels.join(",")}}`, Number(match[3]));
  }
  return samples;
}

const sample = (samples: Samples, name: string, labels: Record<string, string> = {}) =>
  samples.get(
    `${name}{${Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .sort()
      .join(",")}}`,
  ) ?? 0;

describe("Prometheus metrics on their own port, behind a token", () => {
  const token = randomBytes(24).toString("hex");
  let stack: Stack;
  let metricsUrl: string;
  const scrapes: string[] = [];

  async function scrape(): Promise<Samples> {
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    scrapes.push(text);
    return parseScrape(text);
  }

  beforeAll(async () => {
    const metricsPort = await freePort();
    stack = await startStack("redis", { env: { KUBBI_METRICS_PORT: String(metricsPort), KUBBI_METRICS_TOKEN: token } });
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  });
  afterAll(() => stack.stop());

  it("the metrics port answers only with the token; the API's own port has no /metrics", async () => {
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(
      401,
    );
    expect(
      (await fetch(metricsUrl.replace("/metrics", "/"), { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(404);
    expect(
      (await fetch(`${stack.api.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(404);
  });

  it("counters move with real operations: created, claimed, burned, expired, deleted, rejections, durations, Redis, bytes", async () => {
    const before = await scrape();
    const bodies = [
      { content: "one time", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 1 },
      { files: [{ name: "a.txt", content: "a", content_type: "text/plain" }], ttl_seconds: 600, max_retrievals: 2 },
      { content: "short lived", content_type: "text/plain", ttl_seconds: 1 },
    ];
    const [once, pkg, shortLived] = await Promise.all(bodies.map((body) => stack.producer.create(body)));
    expect([once!.status, pkg!.status, shortLived!.status]).toEqual([201, 201, 201]);

    const claimed = [await consumer.claim(once!.body.claim_url), await consumer.claim(pkg!.body.claim_url)];
    expect(claimed.map((reply) => reply.status)).toEqual([200, 200]);
    expect((await consumer.claim(once!.body.claim_url)).body.error).toBe("burned");
    expect((await stack.producer.remove(pkg!.body.id)).status).toBe(200);
    expect((await consumer.inspect(`${once!.body.claim_url}/claim`)).status).toBe(405);
    expect((await producer(stack.api.baseUrl, "kb_wrong").list()).status).toBe(401);
    // The one-second kubbi: inspect until a consumer sees it expired (each such answer counts once).
    let expiredSeen = 0;
    for (let attempt = 0; attempt < 100 && expiredSeen === 0; attempt++) {
      const reply = await consumer.inspect(shortLived!.body.claim_url);
      if (reply.body.error === "expired") expiredSeen++;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(expiredSeen).toBe(1);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved("kubbi_kubbi_events_total", { event: "created" })).toBe(3);
    expect(moved("kubbi_kubbi_events_total", { event: "claimed" })).toBe(2);
    expect(moved("kubbi_kubbi_events_total", { event: "burned" })).toBe(1);
    expect(moved("kubbi_kubbi_events_total", { event: "deleted" })).toBe(1);
    expect(moved("kubbi_kubbi_events_total", { event: "expired" })).toBe(1);
    expect(moved("kubbi_rejections_total", { code: "burned" })).toBe(1);
    expect(moved("kubbi_rejections_total", { code: "expired" })).toBe(1);
    expect(moved("kubbi_rejections_total", { code: "method_not_allowed" })).toBe(1);
    expect(moved("kubbi_rejections_total", { code: "unauthorized" })).toBe(1);
    expect(
      moved("kubbi_http_request_duration_seconds_count", { method: "POST", route: "/api/v1/kubbis", status: "201" }),
    ).toBe(3);
    expect(
      moved("kubbi_http_request_duration_seconds_count", { method: "POST", route: "/r/:token/claim", status: "200" }),
    ).toBe(2);
    expect(
      moved("kubbi_http_request_duration_seconds_count", { method: "POST", route: "/r/:token/claim", status: "410" }),
    ).toBe(1);
    expect(
      moved("kubbi_http_request_duration_seconds_bucket", {
        method: "POST",
        route: "/api/v1/kubbis",
        status: "201",
        le: "+Inf",
      }),
    ).toBe(3);
    expect(moved("kubbi_redis_operation_duration_seconds_count", { operation: "create" })).toBe(3);
    expect(moved("kubbi_redis_operation_duration_seconds_count", { operation: "claim" })).toBe(3);
    expect(moved("kubbi_redis_operation_duration_seconds_count", { operation: "delete" })).toBe(1);
    expect(moved("kubbi_http_request_body_bytes_total", { route: "/api/v1/kubbis" })).toBe(
      bodies.reduce((sum, body) => sum + Buffer.byteLength(JSON.stringify(body)), 0),
    );
    const claimBodyBytes = claimed.reduce((sum, reply) => sum + Buffer.byteLength(JSON.stringify(reply.body)), 0);
    expect(moved("kubbi_http_response_bytes_total", { route: "/r/:token/claim" })).toBeGreaterThan(claimBodyBytes);
    expect(sample(after, "kubbi_process_resident_memory_bytes")).toBeGreaterThan(0);

    // No token, key, id or hash anywhere in what was scraped, labels or otherwise.
    const secrets = [stack.api.apiKey, stack.api.secondApiKey, token];
    for (const created of [once!, pkg!, shortLived!]) {
      const claimToken = tokenOf(created.body.claim_url);
      secrets.push(claimToken, created.body.id, createHash("sha256").update(claimToken).digest("base64url"));
    }
    for (const text of scrapes) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(scrapes.join("\n")).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/); // no uuid-shaped id at all
  });

  it("counts Redis errors when Redis stops answering; through the instrumented store a data route is still a 503 with Retry-After", async () => {
    const before = await scrape();
    stack.db!.disconnect();
    await stack.redis!.stop();
    expect((await fetch(`${stack.api.baseUrl}/readyz`)).status).toBe(503);
    const listed = await stack.producer.list();
    expectEnvelope(listed, 503, "service_unavailable");
    expect(listed.headers.get("retry-after")).toBe("1");
    // The connection's own errors (failed reconnects) are counted too; poll, bounded, until one has happened.
    let after = await scrape();
    for (
      let attempt = 0;
      attempt < 100 &&
      sample(after, "kubbi_redis_errors_total", { operation: "connection" }) ===
        sample(before, "kubbi_redis_errors_total", { operation: "connection" });
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await scrape();
    }
    expect(
      sample(after, "kubbi_redis_errors_total", { operation: "ping" }) -
        sample(before, "kubbi_redis_errors_total", { operation: "ping" }),
    ).toBe(1);
    expect(
      sample(after, "kubbi_redis_errors_total", { operation: "listByOwner" }) -
        sample(before, "kubbi_redis_errors_total", { operation: "listByOwner" }),
    ).toBe(1);
    expect(
      sample(after, "kubbi_rejections_total", { code: "service_unavailable" }) -
        sample(before, "kubbi_rejections_total", { code: "service_unavailable" }),
    ).toBe(2);
    expect(sample(after, "kubbi_redis_errors_total", { operation: "connection" })).toBeGreaterThan(
      sample(before, "kubbi_redis_errors_total", { operation: "connection" }),
    );
  });
});

describe("metrics on the API's port, behind a token", () => {
  const token = randomBytes(24).toString("hex");
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack("memory", { env: { KUBBI_METRICS_TOKEN: token } });
  });
  afterAll(() => stack.stop());

  it("GET /metrics needs the Bearer token; with it, the scrape parses", async () => {
    const anonymous = await fetch(`${stack.api.baseUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error).toBe("unauthorized");
    const response = await fetch(`${stack.api.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const samples = parseScrape(await response.text());
    expect(sample(samples, "kubbi_rejections_total", { code: "unauthorized" })).toBe(1);
  });
});

describe("without KUBBI_METRICS_PORT or KUBBI_METRICS_TOKEN", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack("memory");
  });
  afterAll(() => stack.stop());

  it("there are no metrics to scrape", async () => {
    expect((await fetch(`${stack.api.baseUrl}/metrics`)).status).toBe(404);
  });
});
