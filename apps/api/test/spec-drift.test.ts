import { randomUUID } from "node:crypto";
import { createResponseValidator } from "@kubbi/openapi/validator";
import { makeServerKeys, startApi } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumer, producer, type Reply } from "./support/http.js";
import { startStack, type Stack } from "./support/stacks.js";

/**
 * Real responses of the running API, validated against packages/openapi/openapi.yaml: the server
 * and the spec cannot drift apart without this failing. Each route is exercised for each status.
 */
describe("every response the API sends matches the OpenAPI spec", () => {
  const validator = createResponseValidator();
  let stack: Stack;
  const checked: string[] = [];

  function conforms(method: string, pathTemplate: string, reply: Reply) {
    const check = validator.validateResponse(method, pathTemplate, reply.status, reply.body);
    expect(check.errors, `${method} ${pathTemplate} ${reply.status}`).toBe("");
    expect(check.ok).toBe(true);
    checked.push(`${method} ${pathTemplate} ${reply.status}`);
  }

  beforeAll(async () => {
    stack = await startStack("redis", {
      env: {
        KUBBI_MAX_FILES: "3",
        KUBBI_MAX_KUBBI_BYTES: "4096",
        KUBBI_MAX_ACTIVE_KUBBIS: "6",
        KUBBI_RATE_LIMIT_PER_MINUTE: "60",
        KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "40",
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
    // Every status of every route below was checked at least once.
    expect(new Set(checked).size).toBeGreaterThanOrEqual(32);
  });

  it("the server index, the contract, and GET on a claim's POST URL", async () => {
    conforms("GET", "/", await consumer.inspect(`${stack.api.baseUrl}/`));
    conforms("GET", "/openapi.json", await consumer.inspect(`${stack.api.baseUrl}/openapi.json`));
    const pasted = await consumer.inspect(`${stack.api.baseUrl}/r/${"Q".repeat(43)}/claim`);
    expect(pasted.status).toBe(405); // before the consumer rate limit is used up below
    conforms("GET", "/r/{token}/claim", pasted);
  });

  it("producer and consumer routes, success and failure", async () => {
    const single = await stack.producer.create({
      content: { a: [1, 2] },
      content_type: "application/json",
      ttl_seconds: 600,
      max_retrievals: 2,
      metadata: { source: "spec" },
    });
    conforms("POST", "/api/v1/kubbis", single);
    const pkg = await stack.producer.create({
      files: [
        { name: "a.json", content: "{}", content_type: "application/json", role: "config" },
        { name: "b.bin", content: "AAEC", content_type: "application/octet-stream", encoding: "base64" },
      ],
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    conforms("POST", "/api/v1/kubbis", pkg);
    // The same Idempotency-Key twice: the create, then its replay.
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await stack.producer.create(
        { content: "x", content_type: "text/plain", ttl_seconds: 60 },
        { "idempotency-key": "spec-replay" },
      );
      conforms("POST", "/api/v1/kubbis", reply);
    }

    conforms("GET", "/api/v1/kubbis/{id}", await stack.producer.get(single.body.id));
    conforms("GET", "/api/v1/kubbis/{id}", await stack.producer.get(pkg.body.id));
    conforms("GET", "/api/v1/kubbis", await stack.producer.list("?page=1&limit=10"));

    for (const [created, template] of [
      [single, "/r/{token}"],
      [pkg, "/r/{token}/inspect"],
    ] as const) {
      const url = template === "/r/{token}" ? created.body.claim_url : `${created.body.claim_url}/inspect`;
      conforms("GET", template, await consumer.inspect(url));
    }
    conforms("GET", "/r/{token}", await consumer.inspect(pkg.body.claim_url));
    conforms("GET", "/r/{token}/inspect", await consumer.inspect(`${single.body.claim_url}/inspect`));
    conforms("POST", "/r/{token}/claim", await consumer.claim(single.body.claim_url));
    conforms("POST", "/r/{token}/claim", await consumer.claim(pkg.body.claim_url));
    conforms("GET", "/api/v1/kubbis/{id}", await stack.producer.get(pkg.body.id)); // burned, with stamps

    // 410 for each reason, on both consumer routes.
    conforms("POST", "/r/{token}/claim", await consumer.claim(pkg.body.claim_url));
    conforms("GET", "/r/{token}", await consumer.inspect(pkg.body.claim_url));
    conforms("GET", "/r/{token}/inspect", await consumer.inspect(`${pkg.body.claim_url}/inspect`));
    conforms("DELETE", "/api/v1/kubbis/{id}", await stack.producer.remove(single.body.id));
    conforms("POST", "/r/{token}/claim", await consumer.claim(single.body.claim_url));
    conforms("DELETE", "/api/v1/kubbis/{id}", await stack.producer.remove(single.body.id)); // 409
    // A replay of a kubbi deleted since reports its status now.
    const goneSince = await stack.producer.create(
      { content: "x", content_type: "text/plain", ttl_seconds: 60 },
      { "idempotency-key": "spec-gone" },
    );
    await stack.producer.remove(goneSince.body.id);
    const replayedGone = await stack.producer.create(
      { content: "x", content_type: "text/plain", ttl_seconds: 60 },
      { "idempotency-key": "spec-gone" },
    );
    expect(replayedGone.body.status).toBe("deleted");
    conforms("POST", "/api/v1/kubbis", replayedGone);

    // 400, 401, 404, 413, 415, 422.
    conforms(
      "POST",
      "/api/v1/kubbis",
      await stack.producer.create({ content: 1, content_type: "text/html", ttl_seconds: 1 }),
    );
    conforms("POST", "/api/v1/kubbis", await stack.producer.createRaw("{oops", { "content-type": "application/json" }));
    conforms("POST", "/api/v1/kubbis", await stack.producer.createRaw("a=b", { "content-type": "text/plain" }));
    conforms(
      "POST",
      "/api/v1/kubbis",
      await stack.producer.create({ content: "y".repeat(5000), content_type: "text/plain", ttl_seconds: 60 }),
    );
    conforms(
      "POST",
      "/api/v1/kubbis",
      await stack.producer.create({
        files: Array.from({ length: 4 }, (_, i) => ({ name: `${i}`, content: "x", content_type: "text/plain" })),
        ttl_seconds: 60,
      }),
    );
    conforms(
      "POST",
      "/api/v1/kubbis",
      await stack.producer.create(
        { content: "other", content_type: "text/plain", ttl_seconds: 60 },
        { "idempotency-key": "spec-replay" },
      ),
    );
    conforms("GET", "/api/v1/kubbis", await stack.producer.list("?limit=500"));
    conforms("GET", "/api/v1/kubbis/{id}", await stack.producer.get(randomUUID()));
    conforms("DELETE", "/api/v1/kubbis/{id}", await stack.producer.remove(randomUUID()));
    conforms("GET", "/r/{token}", await consumer.inspect(`${stack.api.baseUrl}/r/${"Z".repeat(43)}`));
    conforms("POST", "/r/{token}/claim", await consumer.claim(`${stack.api.baseUrl}/r/nope`));
    const anonymous = producer(stack.api.baseUrl, "kb_wrong");
    conforms("GET", "/api/v1/kubbis", await anonymous.list());
    conforms("POST", "/api/v1/kubbis", await anonymous.create({}));

    // 429 quota_exceeded, then 429 rate_limited on producer and consumer routes.
    let reply: Reply;
    do reply = await stack.producer.create({ content: "fill", content_type: "text/plain", ttl_seconds: 60 });
    while (reply.status === 201);
    expect(reply.body.error).toBe("quota_exceeded");
    conforms("POST", "/api/v1/kubbis", reply);
    do reply = await stack.producer.list();
    while (reply.status === 200);
    conforms("GET", "/api/v1/kubbis", reply);
    do reply = await consumer.claim(`${stack.api.baseUrl}/r/${"Q".repeat(43)}`);
    while (reply.status === 404);
    conforms("POST", "/r/{token}/claim", reply);
  });

  it("decrypt failures", async () => {
    // The same producer keys, but a ring without the key everything so far was sealed under.
    const other = await startApi({
      redisUrl: stack.redis!.url,
      serverKeys: makeServerKeys("k9"),
      env: { KUBBI_API_KEYS: `${stack.api.apiKey},${stack.api.secondApiKey}` },
    });
    try {
      // The first key is rate limited by now: this one goes through the second key.
      const made = await producer(stack.api.baseUrl, stack.api.secondApiKey).create({
        content: "x",
        content_type: "text/plain",
        ttl_seconds: 60,
      });
      expect(made.status).toBe(201);
      conforms("POST", "/r/{token}/claim", await consumer.claim(`${other.baseUrl}/r/${made.body.claim_token}`));
      conforms(
        "GET",
        "/r/{token}/inspect",
        await consumer.inspect(`${other.baseUrl}/r/${made.body.claim_token}/inspect`),
      );
      // The producer's views of it, flagged instead of failing.
      const flagged = await producer(other.baseUrl, stack.api.secondApiKey).get(made.body.id);
      expect(flagged.body.sealed_with_unknown_key).toBe(true);
      conforms("GET", "/api/v1/kubbis/{id}", flagged);
      conforms("GET", "/api/v1/kubbis", await producer(other.baseUrl, stack.api.secondApiKey).list());
    } finally {
      await other.stop();
    }
  });

  it("health routes", async () => {
    conforms(
      "GET",
      "/healthz",
      await (async () => {
        const response = await fetch(`${stack.api.baseUrl}/healthz`);
        return { status: response.status, headers: response.headers, body: await response.json() };
      })(),
    );
    const ready = await fetch(`${stack.api.baseUrl}/readyz`);
    conforms("GET", "/readyz", { status: ready.status, headers: ready.headers, body: await ready.json() });
    stack.db!.disconnect();
    await stack.redis!.stop();
    const down = await fetch(`${stack.api.baseUrl}/readyz`);
    conforms("GET", "/readyz", { status: down.status, headers: down.headers, body: await down.json() });
  });
});
