import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KubbiClient, KubbiUsageError } from "../../src/index.js";
import { API_KEY, BASE, createdWire, detailWire, seen, server, useMockApi } from "./mock-api.js";

useMockApi();
afterEach(() => vi.unstubAllEnvs());
const client = new KubbiClient({ apiKey: API_KEY, baseUrl: `${BASE}/` });

describe("construction", () => {
  it("takes the key from KUBBI_API_KEY and the base URL from KUBBI_BASE_URL", async () => {
    vi.stubEnv("KUBBI_API_KEY", "kb_from_env");
    vi.stubEnv("KUBBI_BASE_URL", "https://env.example");
    server.use(
      http.get("https://env.example/api/v1/kubbis/:id", ({ params }) =>
        HttpResponse.json(detailWire(String(params.id))),
      ),
    );
    const fromEnv = new KubbiClient();
    expect(fromEnv.baseUrl).toBe("https://env.example");
    await fromEnv.get("x");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer kb_from_env");
  });

  it("defaults to https://api.kubbi.ai", () => {
    vi.stubEnv("KUBBI_BASE_URL", "");
    expect(new KubbiClient({ apiKey: API_KEY }).baseUrl).toBe("https://api.kubbi.ai");
  });

  it("says clearly when there is no key", () => {
    vi.stubEnv("KUBBI_API_KEY", "");
    expect(() => new KubbiClient()).toThrow(KubbiUsageError);
    expect(() => new KubbiClient()).toThrow(/KUBBI_API_KEY/);
  });

  it("uses an injected fetch", async () => {
    const fetch = vi.fn(async () => Response.json(detailWire("abc")));
    const injected = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE, fetch });
    await expect(injected.get("abc")).resolves.toMatchObject({ id: "abc" });
    expect(fetch).toHaveBeenCalledOnce();
    expect(seen).toHaveLength(0);
  });
});

describe("send", () => {
  it("posts the snake_case body with the key and returns camelCase", async () => {
    server.use(http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(createdWire, { status: 201 })));
    const result = await client.send({
      content: "sensitive data here",
      contentType: "text/plain",
      ttlSeconds: 3600,
      maxRetrievals: 1,
      metadata: { source: "billing" },
    });
    expect(JSON.parse(await seen[0]!.body)).toEqual({
      content: "sensitive data here",
      content_type: "text/plain",
      ttl_seconds: 3600,
      max_retrievals: 1,
      metadata: { source: "billing" },
    });
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");
    expect(result).toEqual({
      type: "kubbi",
      id: createdWire.id,
      claimUrl: createdWire.claim_url,
      claimToken: createdWire.claim_token,
      status: "active",
      contentType: "text/plain",
      totalSizeBytes: 19,
      maxRetrievals: 1,
      metadata: { source: "billing" },
      createdAt: "2026-03-28T12:00:00.000Z",
      expiresAt: "2026-03-28T13:00:00.000Z",
    });
  });

  it("sends JSON content as a JSON value and leaves optional fields out", async () => {
    server.use(
      http.post(`${BASE}/api/v1/kubbis`, () =>
        HttpResponse.json({ ...createdWire, content_type: "application/json" }, { status: 201 }),
      ),
    );
    await client.send({ content: { order_id: "123", items: [1, 2] }, contentType: "application/json", ttlSeconds: 60 });
    expect(JSON.parse(await seen[0]!.body)).toEqual({
      content: { order_id: "123", items: [1, 2] },
      content_type: "application/json",
      ttl_seconds: 60,
    });
  });
});

describe("sendFiles", () => {
  const packageWire = {
    ...createdWire,
    type: "kubbi_package",
    content_type: undefined,
    file_count: 4,
    total_size_bytes: 10,
    files: [{ name: "a.txt", content_type: "text/plain", size_bytes: 2, role: null, sha256: "00" }],
  };

  it("sends text as UTF-8 and every binary form as base64", async () => {
    server.use(http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(packageWire, { status: 201 })));
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const result = await client.sendFiles({
      files: [
        { name: "notes.md", content: "# héllo", contentType: "text/markdown", role: "instructions" },
        { name: "a.bin", content: bytes, contentType: "application/octet-stream" },
        { name: "b.bin", content: bytes.buffer.slice(0), contentType: "application/octet-stream", role: "attachment" },
        { name: "c.png", content: new Blob([bytes]), contentType: "image/png" },
        { name: "d.bin", content: "AAEC/f7/", contentType: "application/octet-stream", encoding: "base64" },
        { name: "e.bin", content: new DataView(bytes.buffer, 3, 3), contentType: "application/octet-stream" },
      ],
      ttlSeconds: 3600,
      maxRetrievals: 1,
    });
    expect(JSON.parse(await seen[0]!.body)).toEqual({
      files: [
        { name: "notes.md", content: "# héllo", content_type: "text/markdown", role: "instructions" },
        { name: "a.bin", content: "AAEC/f7/", content_type: "application/octet-stream", encoding: "base64" },
        {
          name: "b.bin",
          content: "AAEC/f7/",
          content_type: "application/octet-stream",
          role: "attachment",
          encoding: "base64",
        },
        { name: "c.png", content: "AAEC/f7/", content_type: "image/png", encoding: "base64" },
        { name: "d.bin", content: "AAEC/f7/", content_type: "application/octet-stream", encoding: "base64" },
        { name: "e.bin", content: "/f7/", content_type: "application/octet-stream", encoding: "base64" },
      ],
      ttl_seconds: 3600,
      max_retrievals: 1,
    });
    expect(result).toMatchObject({
      type: "kubbi_package",
      fileCount: 4,
      totalSizeBytes: 10,
      files: [{ name: "a.txt", contentType: "text/plain", sizeBytes: 2, role: null, sha256: "00" }],
    });
  });

  it("encodes large binary files correctly", async () => {
    server.use(http.post(`${BASE}/api/v1/kubbis`, () => HttpResponse.json(packageWire, { status: 201 })));
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) % 256);
    await client.sendFiles({
      files: [{ name: "big.bin", content: big, contentType: "application/octet-stream" }],
      ttlSeconds: 60,
    });
    const sent = JSON.parse(await seen[0]!.body) as { files: Array<{ content: string }> };
    expect(Buffer.from(sent.files[0]!.content, "base64").equals(Buffer.from(big))).toBe(true);
  });

  it("refuses encoding: base64 on binary content instead of double-encoding it", async () => {
    await expect(
      client.sendFiles({
        files: [
          { name: "x", content: new Uint8Array([1]), contentType: "application/octet-stream", encoding: "base64" },
        ],
        ttlSeconds: 60,
      }),
    ).rejects.toBeInstanceOf(KubbiUsageError);
    expect(seen).toHaveLength(0);
  });
});

describe("get, list, delete", () => {
  /** GET /api/v1/kubbis/:id answers the default detail of that id with `fields` changed. */
  const serveDetail = (fields: Record<string, unknown>) =>
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, ({ params }) =>
        HttpResponse.json({ ...detailWire(String(params.id)), ...fields }),
      ),
    );

  it("get maps every field", async () => {
    serveDetail({
      retrieval_count: 1,
      remaining_reads: 0,
      status: "burned",
      first_retrieved_at: "2026-03-28T12:01:00.000Z",
      last_retrieved_at: "2026-03-28T12:02:00.000Z",
      max_retrievals: 1,
      last_claim: { at: "2026-03-28T12:02:00.000Z", address: "203.0.113.7", user_agent: "curl/8.5.0" },
      inspect_count: 3,
      last_inspected_at: "2026-03-28T12:01:30.000Z",
    });
    expect(await client.get("id/with?odd")).toEqual({
      id: "id/with?odd",
      type: "kubbi",
      status: "burned",
      contentType: "text/plain",
      fileCount: null,
      totalSizeBytes: 4,
      maxRetrievals: 1,
      retrievalCount: 1,
      remainingReads: 0,
      firstRetrievedAt: "2026-03-28T12:01:00.000Z",
      lastRetrievedAt: "2026-03-28T12:02:00.000Z",
      lastClaim: { at: "2026-03-28T12:02:00.000Z", address: "203.0.113.7", userAgent: "curl/8.5.0" },
      expiredUnclaimed: false,
      inspectCount: 3,
      lastInspectedAt: "2026-03-28T12:01:30.000Z",
      metadata: null,
      files: null,
      sealedWithUnknownKey: false,
      createdAt: "2026-03-28T12:00:00.000Z",
      expiresAt: "2026-03-28T13:00:00.000Z",
    });
    expect(seen[0]!.url).toBe(`${BASE}/api/v1/kubbis/id%2Fwith%3Fodd`);
  });

  it("a server older than the event log: the last claim's time from last_retrieved_at, expiredUnclaimed from status and count", async () => {
    const {
      last_claim: _claim,
      inspect_count: _inspects,
      last_inspected_at: _inspected,
      expired_unclaimed: _unclaimed,
      ...older
    } = detailWire("old");
    server.use(
      http.get(`${BASE}/api/v1/kubbis/:id`, ({ params }) =>
        HttpResponse.json(
          params.id === "claimed"
            ? { ...older, status: "burned", retrieval_count: 1, last_retrieved_at: "2026-03-28T12:02:00.000Z" }
            : { ...older, status: "expired" },
        ),
      ),
    );
    expect(await client.get("claimed")).toMatchObject({
      lastClaim: { at: "2026-03-28T12:02:00.000Z", address: "", userAgent: "" },
      expiredUnclaimed: false,
      inspectCount: 0,
      lastInspectedAt: null,
    });
    expect(await client.get("unclaimed")).toMatchObject({ lastClaim: null, expiredUnclaimed: true });
  });

  it("a kubbi sealed under a server key the server no longer has is flagged, with no metadata or files", async () => {
    serveDetail({ type: "kubbi_package", content_type: null, file_count: 2, sealed_with_unknown_key: true });
    expect(await client.get("old")).toMatchObject({
      type: "kubbi_package",
      fileCount: 2,
      files: null,
      metadata: null,
      sealedWithUnknownKey: true,
    });
  });

  it("a package's manifest from get maps without a hash (only sends and claims carry one)", async () => {
    const manifest = [{ name: "a.txt", content_type: "text/plain", size_bytes: 2, role: "data" }];
    serveDetail({ type: "kubbi_package", content_type: null, file_count: 1, files: manifest });
    const detail = await client.get("pkg");
    expect(detail.files).toStrictEqual([{ name: "a.txt", contentType: "text/plain", sizeBytes: 2, role: "data" }]);
  });

  it("list returns one page; iterating walks every page once", async () => {
    // Three pages of two; a kubbi created between pages shifts "b" onto page 2 as well.
    const pages: Record<string, string[]> = { "1": ["a", "b"], "2": ["b", "c"], "3": ["d"] };
    server.use(
      http.get(`${BASE}/api/v1/kubbis`, ({ request }) => {
        const page = new URL(request.url).searchParams.get("page")!;
        return HttpResponse.json({
          kubbis: pages[page]!.map(detailWire),
          pagination: { page: Number(page), limit: 2, total: 5, total_pages: 3 },
        });
      }),
    );
    const first = await client.list({ page: 1, limit: 2 });
    expect(first.kubbis.map((k) => k.id)).toEqual(["a", "b"]);
    expect(first.pagination).toEqual({ page: 1, limit: 2, total: 5, totalPages: 3 });
    expect(seen[0]!.url).toBe(`${BASE}/api/v1/kubbis?page=1&limit=2`);

    seen.length = 0;
    const ids: string[] = [];
    for await (const kubbi of client.list({ limit: 2 })) ids.push(kubbi.id);
    expect(ids).toEqual(["a", "b", "c", "d"]);
    expect(seen.map((r) => new URL(r.url).searchParams.get("page"))).toEqual(["1", "2", "3"]);
  });

  it("iterating an empty list makes one request", async () => {
    server.use(
      http.get(`${BASE}/api/v1/kubbis`, () =>
        HttpResponse.json({ kubbis: [], pagination: { page: 1, limit: 20, total: 0, total_pages: 0 } }),
      ),
    );
    const ids: string[] = [];
    for await (const kubbi of client.list()) ids.push(kubbi.id);
    expect(ids).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it("delete", async () => {
    server.use(
      http.delete(`${BASE}/api/v1/kubbis/:id`, ({ params }) => HttpResponse.json({ id: params.id, status: "deleted" })),
    );
    expect(await client.delete("k1")).toEqual({ id: "k1", status: "deleted" });
    expect(seen[0]!.method).toBe("DELETE");
  });
});
