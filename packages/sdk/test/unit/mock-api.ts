/** An msw server standing in for the kubbi API, recording every request it sees. */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

export const BASE = "https://api.test.kubbi";
export const API_KEY = "kb_unit_test_key_0000000000000000000000000000";
export const TOKEN = "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno";

export interface Seen {
  method: string;
  url: string;
  headers: Headers;
  /** The request body as text ("" when none). */
  body: Promise<string>;
}

export const server = setupServer();
export const seen: Seen[] = [];

server.events.on("request:start", ({ request }) => {
  seen.push({ method: request.method, url: request.url, headers: request.headers, body: request.clone().text() });
});

/** Registers the msw lifecycle for the calling test file. */
export function useMockApi(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
  });
  afterAll(() => server.close());
}

export function envelope(code: string, message: string, extra: { messages?: string[]; request_id?: string } = {}) {
  return { error: code, message, messages: extra.messages ?? [], request_id: extra.request_id ?? "req_from_body" };
}

export const createdWire = {
  id: "d290f1ee-6c54-4b01-90e6-d701748f0851",
  type: "kubbi",
  claim_url: `${BASE}/r/${TOKEN}`,
  claim_token: TOKEN,
  status: "active",
  content_type: "text/plain",
  total_size_bytes: 19,
  max_retrievals: 1,
  metadata: { source: "billing" },
  created_at: "2026-03-28T12:00:00.000Z",
  expires_at: "2026-03-28T13:00:00.000Z",
};

export function detailWire(id: string) {
  return {
    id,
    type: "kubbi",
    status: "active",
    content_type: "text/plain",
    file_count: null,
    total_size_bytes: 4,
    max_retrievals: null,
    retrieval_count: 0,
    remaining_reads: null,
    first_retrieved_at: null,
    last_retrieved_at: null,
    metadata: null,
    files: null,
    sealed_with_unknown_key: false,
    created_at: "2026-03-28T12:00:00.000Z",
    expires_at: "2026-03-28T13:00:00.000Z",
    last_claim: null,
    inspect_count: 0,
    last_inspected_at: null,
    expired_unclaimed: false,
  };
}

/** One event on the wire; `n` makes its id (`<n>-0`) and its time. */
export function eventWire(n: number, kubbiId = "d290f1ee-6c54-4b01-90e6-d701748f0851") {
  return {
    id: `${n}-0`,
    type: "kubbi.claimed",
    occurred_at: new Date(n).toISOString(),
    kubbi_id: kubbiId,
    key_id: "key_1",
    retrieval_count: 1,
    max_retrievals: null,
    retrievals_left: null,
    client: { address: "203.0.113.7", user_agent: "python-httpx/0.27" },
  };
}
