import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  KubbiApiError,
  KubbiAuthenticationError,
  KubbiClient,
  KubbiError,
  KubbiGoneError,
  KubbiNetworkError,
  KubbiNotFoundError,
  KubbiQuotaExceededError,
  KubbiTimeoutError,
  KubbiValidationError,
  claim,
  isKubbiApiError,
  isKubbiError,
  isKubbiGoneError,
  isKubbiNotFoundError,
  isKubbiQuotaExceededError,
} from "../../src/index.js";
import { API_KEY, BASE, envelope, seen, server, TOKEN, useMockApi } from "./mock-api.js";

useMockApi();
const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, maxRetries: 0 });
const ID = "d290f1ee-6c54-4b01-90e6-d701748f0851";

async function errorFor(status: number, code: string, headers: Record<string, string> = {}, messages: string[] = []) {
  server.use(
    http.get(`${BASE}/api/v1/kubbis/:id`, () =>
      HttpResponse.json(envelope(code, `the ${code} message`, { messages }), { status, headers }),
    ),
  );
  return client.get(ID).then(
    () => expect.unreachable("the call should have failed"),
    (error: unknown) => error,
  );
}

describe("error mapping", () => {
  it.each([
    [404, "not_found", KubbiNotFoundError],
    [410, "burned", KubbiGoneError],
    [410, "expired", KubbiGoneError],
    [410, "deleted", KubbiGoneError],
    [400, "validation_error", KubbiValidationError],
    [400, "invalid_json", KubbiValidationError],
    [422, "idempotency_key_reused", KubbiValidationError],
    [401, "unauthorized", KubbiAuthenticationError],
    [403, "forbidden", KubbiAuthenticationError],
    [413, "payload_too_large", KubbiQuotaExceededError],
    [413, "file_limit_exceeded", KubbiQuotaExceededError],
    [429, "quota_exceeded", KubbiQuotaExceededError],
  ] as const)("%i %s becomes %s with the envelope's fields", async (status, code, errorClass) => {
    const error = await errorFor(status, code);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(KubbiApiError);
    expect(error).toBeInstanceOf(KubbiError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      status,
      code,
      message: `the ${code} message`,
      requestId: "req_from_body",
      name: errorClass.kind,
    });
  });

  it.each([
    [409, "conflict"],
    [415, "unsupported_media_type"],
    [500, "internal_error"],
    [500, "decrypt_failed"],
  ])("%i %s is a plain KubbiApiError", async (status, code) => {
    const error = await errorFor(status, code);
    expect(error).toBeInstanceOf(KubbiApiError);
    for (const specific of [
      KubbiNotFoundError,
      KubbiGoneError,
      KubbiValidationError,
      KubbiAuthenticationError,
      KubbiQuotaExceededError,
    ]) {
      expect(error).not.toBeInstanceOf(specific);
    }
    expect(error).toMatchObject({ status, code });
  });

  it("410 carries the reason the API gave", async () => {
    for (const reason of ["burned", "expired", "deleted"] as const) {
      const error = await errorFor(410, reason);
      expect(isKubbiGoneError(error) && error.reason).toBe(reason);
    }
  });

  it("a validation error lists every message", async () => {
    const messages = ["ttl_seconds: must be at least 60", "content: required"];
    const error = await errorFor(400, "validation_error", {}, messages);
    expect((error as KubbiValidationError).messages).toEqual(messages);
  });

  it("429 and 413 expose Retry-After in seconds, null without it", async () => {
    const limited = await errorFor(429, "quota_exceeded", { "retry-after": "42" });
    expect(isKubbiQuotaExceededError(limited) && limited.retryAfter).toBe(42);
    const tooLarge = await errorFor(413, "payload_too_large");
    expect(isKubbiQuotaExceededError(tooLarge) && tooLarge.retryAfter).toBeNull();
  });

  it("takes the request id from X-Request-Id when the body has none", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, () =>
        HttpResponse.json(
          { error: "not_found", message: "no such kubbi" },
          { status: 404, headers: { "x-request-id": "req_from_header" } },
        ),
      ),
    );
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(error).toMatchObject({ requestId: "req_from_header", messages: [] });
  });

  it("a non-JSON error body (a proxy page) still maps by status", async () => {
    server.use(
      http.get(
        `${BASE}/api/v1/kubbis/:id`,
        () => new HttpResponse("<html>Not Found</html>", { status: 404, statusText: "Not Found" }),
      ),
    );
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiNotFoundError);
    expect(error).toMatchObject({ code: "http_404", message: "HTTP 404 without a kubbi API error body" });
  });

  it("a 2xx that is not JSON is an error, not a silent undefined", async () => {
    server.use(http.get(`${BASE}/api/v1/kubbis/:id`, () => new HttpResponse("oops", { status: 200 })));
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(isKubbiApiError(error) && error.code).toBe("invalid_response");
  });

  it("no response at all is a KubbiNetworkError, not an API error", async () => {
    server.use(http.get(`${BASE}/api/v1/kubbis/:id`, () => HttpResponse.error()));
    const error = await client.get(ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiNetworkError);
    expect(error).not.toBeInstanceOf(KubbiTimeoutError);
    expect(isKubbiApiError(error)).toBe(false);
    expect(isKubbiError(error)).toBe(true);
  });

  it("consumer errors map the same way", async () => {
    server.use(
      http.post(`${BASE}/r/:token/claim`, () => HttpResponse.json(envelope("expired", "gone"), { status: 410 })),
    );
    const error = await claim(`${BASE}/r/${TOKEN}`, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(isKubbiGoneError(error) && error.reason).toBe("expired");
    expect(isKubbiNotFoundError(error)).toBe(false);
    expect(seen).toHaveLength(1);
  });
});

describe("type guards", () => {
  it("tell the classes apart and reject look-alikes", () => {
    const gone = new KubbiGoneError({ status: 410, code: "burned", message: "burned" });
    expect(isKubbiGoneError(gone)).toBe(true);
    expect(isKubbiApiError(gone)).toBe(true);
    expect(isKubbiNotFoundError(gone)).toBe(false);
    const lookAlike = Object.assign(new Error("burned"), { name: "KubbiGoneError", status: 410, code: "burned" });
    expect(isKubbiGoneError(lookAlike)).toBe(false);
    expect(lookAlike instanceof KubbiError).toBe(false);
    for (const value of [null, undefined, 0, "KubbiError", {}]) expect(isKubbiError(value)).toBe(false);
  });
});
