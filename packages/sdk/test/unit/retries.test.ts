import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  KubbiApiError,
  KubbiClient,
  KubbiGoneError,
  KubbiNetworkError,
  KubbiTimeoutError,
  claim,
} from "../../src/index.js";
import { API_KEY, BASE, createdWire, detailWire, envelope, seen, server, TOKEN, useMockApi } from "./mock-api.js";

useMockApi();
const ID = "d290f1ee-6c54-4b01-90e6-d701748f0851";
const sendParams = { content: "hi", contentType: "text/plain", ttlSeconds: 60 } as const;

/** Answers with the given responses in turn, then keeps repeating the last one. */
function sequence(...responses: Array<() => Response | Promise<Response>>) {
  let call = 0;
  return () => responses[Math.min(call++, responses.length - 1)]!();
}
const unavailable = (status: number) => () =>
  HttpResponse.json(envelope("service_unavailable", "try later"), { status, headers: { "retry-after": "0" } });

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: { debug: (message: string) => void lines.push(message) } };
}

describe("retries", () => {
  it.each([502, 503, 504])("retries a %i and returns the later success", async (status) => {
    server.use(
      http.get(
        `${BASE}/api/v1/kubbis/:id`,
        sequence(unavailable(status), () => HttpResponse.json(detailWire(ID))),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE });
    await expect(client.get(ID)).resolves.toMatchObject({ id: ID });
    expect(seen).toHaveLength(2);
  });

  it("retries a network failure with backoff", async () => {
    server.use(
      http.get(
        `${BASE}/api/v1/kubbis/:id`,
        sequence(
          () => HttpResponse.error(),
          () => HttpResponse.json(detailWire(ID)),
        ),
      ),
    );
    const { lines, logger } = recordingLogger();
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, debug: true, logger });
    await expect(client.get(ID)).resolves.toMatchObject({ id: ID });
    expect(seen).toHaveLength(2);
    // First backoff: 500 ms less up to 25% jitter.
    const wait = Number(/retrying .* in (\d+) ms/.exec(lines.join("\n"))?.[1]);
    expect(wait).toBeGreaterThanOrEqual(375);
    expect(wait).toBeLessThanOrEqual(500);
  });

  it("gives up after maxRetries and reports how many attempts it made", async () => {
    server.use(http.get(`${BASE}/api/v1/kubbis/:id`, unavailable(503)));
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiApiError);
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect(seen).toHaveLength(3);
  });

  it("maxRetries can be lowered per call", async () => {
    server.use(http.get(`${BASE}/api/v1/kubbis/:id`, unavailable(503)));
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.get(ID, { maxRetries: 0 })).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it.each([
    [500, "internal_error"],
    [400, "validation_error"],
    [404, "not_found"],
    [429, "quota_exceeded"],
    [413, "payload_too_large"],
  ])("does not retry %i %s", async (status, code) => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, () =>
        HttpResponse.json(envelope(code, "no"), { status, headers: { "retry-after": "0" } }),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.get(ID)).rejects.toMatchObject({ status, code });
    expect(seen).toHaveLength(1);
  });

  it("retries 429 rate_limited after the Retry-After it names", async () => {
    server.use(
      http.get(
        `${BASE}/api/v1/kubbis/:id`,
        sequence(
          () =>
            HttpResponse.json(envelope("rate_limited", "slow down"), { status: 429, headers: { "retry-after": "1" } }),
          () => HttpResponse.json(detailWire(ID)),
        ),
      ),
    );
    const { lines, logger } = recordingLogger();
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, debug: true, logger });
    await expect(client.get(ID)).resolves.toMatchObject({ id: ID });
    expect(seen).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/retrying GET .* in 1000 ms/);
  });

  it("retries 409 idempotency_in_progress with backoff: the retried send gets the first attempt's 201", async () => {
    server.use(
      http.post(
        `${BASE}/api/v1/kubbis`,
        sequence(
          () => HttpResponse.json(envelope("idempotency_in_progress", "still running"), { status: 409 }),
          () => HttpResponse.json(createdWire, { status: 201 }),
        ),
      ),
    );
    const { lines, logger } = recordingLogger();
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, debug: true, logger });
    await expect(client.send(sendParams)).resolves.toMatchObject({ id: createdWire.id });
    expect(seen).toHaveLength(2);
    expect(new Set(seen.map((request) => request.headers.get("idempotency-key"))).size).toBe(1);
    // No Retry-After: the first backoff, 500 ms less up to 25% jitter.
    const wait = Number(/retrying POST .* in (\d+) ms/.exec(lines.join("\n"))?.[1]);
    expect(wait).toBeGreaterThanOrEqual(375);
    expect(wait).toBeLessThanOrEqual(500);
  });

  it("does not retry a 409 conflict: only idempotency_in_progress clears by itself", async () => {
    server.use(
      http.delete(`${BASE}/api/v1/kubbis/:id`, () =>
        HttpResponse.json(envelope("conflict", "not active"), { status: 409 }),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.delete(ID)).rejects.toMatchObject({ status: 409, code: "conflict" });
    expect(seen).toHaveLength(1);
  });

  it("does not sit out a Retry-After beyond the cap: the caller gets retryAfter instead", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, () =>
        HttpResponse.json(envelope("rate_limited", "slow down"), { status: 429, headers: { "retry-after": "3600" } }),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.get(ID)).rejects.toMatchObject({ code: "rate_limited", retryAfter: 3600, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it("a retried send carries the same Idempotency-Key every time", async () => {
    server.use(
      http.post(
        `${BASE}/api/v1/kubbis`,
        sequence(
          () => HttpResponse.error(),
          unavailable(503),
          () => HttpResponse.json(createdWire, { status: 201 }),
        ),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.send(sendParams)).resolves.toMatchObject({ id: createdWire.id });
    expect(seen).toHaveLength(3);
    const keys = new Set(seen.map((request) => request.headers.get("idempotency-key")));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("separate sends get separate keys, and a given key is used as is", async () => {
    server.use(http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(createdWire, { status: 201 })));
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE });
    await client.send(sendParams);
    await client.send(sendParams);
    await client.send(sendParams, { idempotencyKey: "order-42-handoff" });
    const keys = seen.map((request) => request.headers.get("idempotency-key"));
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe("order-42-handoff");
  });

  it("a claim retried after a lost response surfaces the 410 that follows as KubbiGoneError", async () => {
    server.use(
      http.post(
        `${BASE}/r/:token/claim`,
        sequence(
          () => HttpResponse.error(),
          () => HttpResponse.json(envelope("burned", "This kubbi has been burned"), { status: 410 }),
        ),
      ),
    );
    const error = await claim(`${BASE}/r/${TOKEN}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiGoneError);
    expect(error).toMatchObject({ reason: "burned", attempts: 2 });
    expect(seen).toHaveLength(2);
  });
});

describe("timeouts", () => {
  it("gives up on an attempt after the timeout with KubbiTimeoutError", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, async () => {
        await delay("infinite");
        return HttpResponse.json(detailWire(ID));
      }),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, timeout: 50, maxRetries: 0 });
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiTimeoutError);
    expect(error).toBeInstanceOf(KubbiNetworkError);
    expect((error as Error).message).toContain("50 ms");
  });

  it("times out each attempt separately, so a later attempt can still succeed", async () => {
    server.use(
      http.get(
        `${BASE}/api/v1/kubbis/:id`,
        sequence(
          async () => {
            await delay("infinite");
            return HttpResponse.json(detailWire(ID));
          },
          () => HttpResponse.json(detailWire(ID)),
        ),
      ),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, timeout: 50, maxRetries: 1 });
    await expect(client.get(ID)).resolves.toMatchObject({ id: ID });
    expect(seen).toHaveLength(2);
  });

  it("the timeout also covers a body that never finishes", async () => {
    const hangingBody = () =>
      Promise.resolve(
        new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) }), {
          status: 200,
        }),
      );
    const client = new KubbiClient({
      apiKey: API_KEY,
      baseUrl: BASE,
      timeout: 50,
      maxRetries: 0,
      fetch: (_url, init) => abortable(hangingBody(), init.signal),
    });
    await expect(client.get(ID)).rejects.toBeInstanceOf(KubbiTimeoutError);
  });
});

/** A fetch stand-in whose body stream errors when the signal aborts, as a real fetch's does. */
async function abortable(response: Promise<Response>, signal: AbortSignal | null | undefined): Promise<Response> {
  const inner = await response;
  const reader = inner.body!.getReader();
  const body = new ReadableStream({
    async pull(controller) {
      const aborted = new Promise<never>((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true }),
      );
      const chunk = await Promise.race([reader.read(), aborted]);
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
  });
  return new Response(body, { status: inner.status, headers: inner.headers });
}

describe("abort", () => {
  it("rejects with the caller's reason as soon as the signal aborts, without retrying", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, async () => {
        await delay("infinite");
        return HttpResponse.json(detailWire(ID));
      }),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    const controller = new AbortController();
    const pending = client.get(ID, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller gave up")), 20);
    await expect(pending).rejects.toThrow("caller gave up");
    expect(seen).toHaveLength(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE });
    await expect(client.get(ID, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(0);
  });

  it("aborting during the backoff wait stops before the next attempt", async () => {
    const controller = new AbortController();
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, () => {
        // The first backoff is at least 375 ms; abort well inside it.
        setTimeout(() => controller.abort(new Error("stop now")), 10);
        return HttpResponse.error();
      }),
    );
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 2 });
    await expect(client.get(ID, { signal: controller.signal })).rejects.toThrow("stop now");
    expect(seen).toHaveLength(1);
  });
});
