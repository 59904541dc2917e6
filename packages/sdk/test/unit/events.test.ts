/**
 * The event readers' retries and error mapping, against msw (paging itself is proven against the real API
 * in test/live/events.test.ts): a transient failure between pages is retried with the same `since`, so the
 * walk neither repeats nor skips, and API errors surface from the iterator as the usual KubbiError classes.
 */
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  KubbiAuthenticationError,
  KubbiClient,
  KubbiNotFoundError,
  KubbiValidationError,
  type KubbiEvent,
} from "../../src/index.js";
import { API_KEY, BASE, envelope, eventWire, seen, server, useMockApi } from "./mock-api.js";

useMockApi();
const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE });

/** Two pages of two events; the second page's first request answers 503 (Retry-After 0). */
function pagesWithOneOutage() {
  let outage = true;
  return http.get(`${BASE}/api/v1/events`, ({ request }) => {
    const since = new URL(request.url).searchParams.get("since");
    if (since === null)
      return HttpResponse.json({ events: [eventWire(1), eventWire(2)], next_since: "2-0", has_more: true });
    if (since === "2-0" && outage) {
      outage = false;
      return HttpResponse.json(envelope("service_unavailable", "try later"), {
        status: 503,
        headers: { "retry-after": "0" },
      });
    }
    if (since === "2-0")
      return HttpResponse.json({ events: [eventWire(3), eventWire(4)], next_since: "4-0", has_more: false });
    return HttpResponse.json(envelope("validation_error", `unexpected since ${since}`), { status: 400 });
  });
}

const ids = (events: KubbiEvent[]) => events.map((event) => event.id);

async function collect(events: AsyncIterable<KubbiEvent>): Promise<KubbiEvent[]> {
  const all: KubbiEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe("allEvents", () => {
  it("retries a 503 between pages with the same since: every event once, in order", async () => {
    server.use(pagesWithOneOutage());
    expect(ids(await collect(client.allEvents({ limit: 2 })))).toEqual(["1-0", "2-0", "3-0", "4-0"]);
    expect(seen.map((request) => new URL(request.url).search)).toEqual([
      "?limit=2",
      "?since=2-0&limit=2",
      "?since=2-0&limit=2",
    ]);
  });

  it("maps each event to the SDK's shape", async () => {
    server.use(
      http.get(`${BASE}/api/v1/events`, () =>
        HttpResponse.json({
          events: [
            {
              ...eventWire(5),
              type: "kubbi.created",
              client: null,
              max_retrievals: 2,
              retrievals_left: 2,
              retrieval_count: 0,
            },
          ],
          next_since: "5-0",
          has_more: false,
        }),
      ),
    );
    const [event] = await collect(client.allEvents({ since: "4-0" }));
    expect(event).toStrictEqual({
      id: "5-0",
      type: "kubbi.created",
      occurredAt: "1970-01-01T00:00:00.005Z",
      kubbiId: "d290f1ee-6c54-4b01-90e6-d701748f0851",
      keyId: "key_1",
      retrievalCount: 0,
      maxRetrievals: 2,
      retrievalsLeft: 2,
      client: null,
    });
  });

  it("throws the API's errors from the iterator: a bad since is a validation error, a refused key an authentication error", async () => {
    server.use(
      http.get(`${BASE}/api/v1/events`, ({ request }) =>
        request.headers.get("authorization") === `Bearer ${API_KEY}`
          ? HttpResponse.json(envelope("validation_error", "since: not an event id"), { status: 400 })
          : HttpResponse.json(envelope("unauthorized", "no"), { status: 401 }),
      ),
    );
    await expect(client.allEvents({ since: "yesterday" }).next()).rejects.toBeInstanceOf(KubbiValidationError);
    const stranger = new KubbiClient({ apiKey: `kb_${"x".repeat(43)}`, baseUrl: BASE });
    await expect(stranger.allEvents().next()).rejects.toBeInstanceOf(KubbiAuthenticationError);
  });
});

describe("events(id)", () => {
  it("reads every page of the kubbi's events, retrying a 503 between them", async () => {
    let outage = true;
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id/events`, ({ request }) => {
        const since = new URL(request.url).searchParams.get("since");
        if (since === null) return HttpResponse.json({ events: [eventWire(1)], next_since: "1-0", has_more: true });
        if (outage) {
          outage = false;
          return HttpResponse.json(envelope("service_unavailable", "later"), {
            status: 503,
            headers: { "retry-after": "0" },
          });
        }
        return HttpResponse.json({ events: [eventWire(2)], next_since: "2-0", has_more: false });
      }),
    );
    expect(ids(await client.events("k/1"))).toEqual(["1-0", "2-0"]);
    expect(seen.map((request) => request.url)).toEqual([
      `${BASE}/api/v1/kubbis/k%2F1/events`,
      `${BASE}/api/v1/kubbis/k%2F1/events?since=1-0`,
      `${BASE}/api/v1/kubbis/k%2F1/events?since=1-0`,
    ]);
  });

  it("an unknown (or another key's) kubbi is KubbiNotFoundError", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id/events`, () =>
        HttpResponse.json(envelope("not_found", "no such kubbi"), { status: 404 }),
      ),
    );
    await expect(client.events("nope")).rejects.toBeInstanceOf(KubbiNotFoundError);
  });
});
