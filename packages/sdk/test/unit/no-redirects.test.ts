/**
 * An SSRF read through the consumer calls: a claim URL from untrusted input points at a host that
 * redirects (or answers with a body) the caller must never see. Redirects are errors, never followed,
 * even to an allowed origin, and no response body is ever quoted in an error message.
 */
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { KubbiClient, claim, inspect, isKubbiApiError } from "../../src/index.js";
import { API_KEY, BASE, seen, server, TOKEN, useMockApi } from "./mock-api.js";

useMockApi();

const INTERNAL = "https://metadata.internal.example";
const SECRET = "aws_secret_access_key=SECRET-FROM-THE-INTERNAL-SERVICE";

function serveSecret() {
  server.use(http.all(`${INTERNAL}/*`, () => new HttpResponse(SECRET, { status: 200 })));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("redirects are never followed", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} from inspect and claim is an error naming only the target origin`, async () => {
      serveSecret();
      server.use(
        http.get(
          `${BASE}/r/:token`,
          () => new HttpResponse(null, { status, headers: { location: `${INTERNAL}/latest/credentials?t=${TOKEN}` } }),
        ),
        http.post(
          `${BASE}/r/:token/claim`,
          () => new HttpResponse(null, { status, headers: { location: `${INTERNAL}/latest/credentials` } }),
        ),
      );
      for (const call of [inspect(`${BASE}/r/${TOKEN}`), claim(`${BASE}/r/${TOKEN}`)]) {
        const error = await failure(call);
        expect(isKubbiApiError(error) && error.code).toBe("redirect");
        expect(error).toMatchObject({ status, attempts: 1 });
        expect(error.message).toContain(`redirect to ${INTERNAL};`);
        expect(error.message).not.toContain("/latest/credentials");
        expect(error.message).not.toContain(TOKEN);
      }
      expect(seen.map((request) => new URL(request.url).origin)).toEqual([BASE, BASE]);
    });
  }

  it("not even to an origin in allowedOrigins, nor on a KubbiClient's producer calls", async () => {
    serveSecret();
    server.use(
      http.post(
        `${BASE}/r/:token/claim`,
        () => new HttpResponse(null, { status: 302, headers: { location: `${INTERNAL}/claim` } }),
      ),
      http.get(
        `${BASE}/api/v1/kubbis`,
        () => new HttpResponse(null, { status: 307, headers: { location: `${INTERNAL}/list` } }),
      ),
    );
    const error = await failure(claim(`${BASE}/r/${TOKEN}`, { allowedOrigins: [BASE, INTERNAL] }));
    expect(error.message).toMatch(/never follows redirects/);
    await failure(new KubbiClient({ apiKey: API_KEY, baseUrl: BASE }).list());
    expect(seen.every((request) => request.url.startsWith(BASE))).toBe(true);
  });
});

describe("response bodies never reach error messages", () => {
  it.each([
    ["a non-JSON error page", 500, SECRET],
    ["a JSON body that is not the API's envelope", 403, JSON.stringify({ message: SECRET, messages: [SECRET] })],
    ["an HTML 404", 404, `<html>${SECRET}</html>`],
  ])("%s gives a generic message with the status", async (_what, status, body) => {
    server.use(http.get(`${BASE}/r/:token`, () => new HttpResponse(body, { status, statusText: SECRET })));
    const error = await failure(inspect(`${BASE}/r/${TOKEN}`, { maxRetries: 0 }));
    expect(error.message).toBe(`HTTP ${status} without a kubbi API error body`);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("SECRET");
  });

  it("a 200 that is not JSON gives a generic message", async () => {
    server.use(http.post(`${BASE}/r/:token/claim`, () => new HttpResponse(SECRET, { status: 200 })));
    const error = await failure(claim(`${BASE}/r/${TOKEN}`));
    expect(isKubbiApiError(error) && error.code).toBe("invalid_response");
    expect(error.message).toBe("HTTP 200 with a body that is not JSON: not the kubbi API");
  });

  it("the API's own envelope is still quoted", async () => {
    server.use(
      http.get(`${BASE}/r/:token`, () =>
        HttpResponse.json(
          { error: "not_found", message: "No such kubbi", messages: [], request_id: "req_1" },
          { status: 404 },
        ),
      ),
    );
    expect(await failure(inspect(`${BASE}/r/${TOKEN}`))).toMatchObject({
      code: "not_found",
      message: "No such kubbi",
      requestId: "req_1",
    });
  });
});
