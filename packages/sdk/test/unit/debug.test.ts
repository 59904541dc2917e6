import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { KubbiClient, claim, inspect } from "../../src/index.js";
import { API_KEY, BASE, createdWire, envelope, server, TOKEN, useMockApi } from "./mock-api.js";

useMockApi();

function recordingLogger() {
  const calls: unknown[][] = [];
  return { calls, logger: { debug: (...args: unknown[]) => void calls.push(args) } };
}

describe("debug logging", () => {
  it("logs every request and retry through the given logger, never the claim token or the key", async () => {
    let claims = 0;
    server.use(
      http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(createdWire, { status: 201 })),
      http.get(`${BASE}/r/:token`, () => HttpResponse.json(envelope("not_found", "no"), { status: 404 })),
      http.post(`${BASE}/r/:token/claim`, () =>
        claims++ === 0
          ? HttpResponse.json(envelope("service_unavailable", "later"), {
              status: 503,
              headers: { "retry-after": "0" },
            })
          : HttpResponse.json(envelope("burned", "gone"), { status: 410 }),
      ),
    );
    const { calls, logger } = recordingLogger();
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, debug: true, logger });
    await client.send({ content: "x", contentType: "text/plain", ttlSeconds: 60 });
    await client.inspect(`${BASE}/r/${TOKEN}`).catch(() => undefined);
    await claim(`${BASE}/r/${TOKEN}/claim`, { debug: true, logger }).catch(() => undefined);
    await inspect(TOKEN, { baseUrl: BASE, debug: true, logger }).catch(() => undefined);

    const logged = JSON.stringify(calls);
    expect(logged).toContain("POST https://api.test.kubbi/api/v1/kubbis");
    expect(logged).toContain("GET https://api.test.kubbi/r/[token]");
    expect(logged).toContain("POST https://api.test.kubbi/r/[token]/claim");
    expect(logged).toMatch(/retrying POST https:\/\/api\.test\.kubbi\/r\/\[token\]\/claim/);
    expect(logged).toContain("410");
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(API_KEY);
  });

  it("says nothing when debug is off, even with a logger", async () => {
    server.use(http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(createdWire, { status: 201 })));
    const { calls, logger } = recordingLogger();
    await new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, logger }).send({
      content: "x",
      contentType: "text/plain",
      ttlSeconds: 60,
    });
    expect(calls).toEqual([]);
  });

  it("network error messages mask the token too", async () => {
    server.use(http.post(`${BASE}/r/:token/claim`, () => HttpResponse.error()));
    const error = await claim(`${BASE}/r/${TOKEN}`, { maxRetries: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("/r/[token]/claim");
    expect((error as Error).message).not.toContain(TOKEN);
  });
});
