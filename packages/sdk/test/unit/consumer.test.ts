import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { KubbiClient, KubbiOriginNotAllowedError, KubbiUsageError, claim, inspect } from "../../src/index.js";
import { API_KEY, BASE, seen, server, TOKEN, useMockApi } from "./mock-api.js";

useMockApi();

const inspectWire = {
  type: "kubbi",
  kubbi_id: "k1",
  status: "active",
  content_type: "text/plain",
  total_size_bytes: 5,
  max_retrievals: 1,
  retrieval_count: 0,
  remaining_reads: 1,
  metadata: null,
  created_at: "2026-03-28T12:00:00.000Z",
  expires_at: "2026-03-28T13:00:00.000Z",
  claim: {
    url: `${BASE}/r/${TOKEN}/claim`,
    method: "POST",
    description: "POST to this URL to retrieve the content. This counts as a retrieval.",
  },
};
const claimWire = {
  type: "kubbi",
  kubbi_id: "k1",
  content: "hello",
  content_type: "text/plain",
  metadata: null,
  created_at: "2026-03-28T12:00:00.000Z",
  expires_at: "2026-03-28T13:00:00.000Z",
  retrieval_count: 1,
  remaining_reads: 0,
  burned: true,
};

/** Answers inspect and claim on any origin. */
function answerEverywhere() {
  server.use(
    http.get(/\/r\/[^/]+$/, () => HttpResponse.json(inspectWire)),
    http.post(/\/r\/[^/]+\/claim$/, () => HttpResponse.json(claimWire)),
  );
}

describe("where claim and inspect go", () => {
  it.each([
    [`${BASE}/r/${TOKEN}`, `${BASE}/r/${TOKEN}/claim`],
    [`${BASE}/r/${TOKEN}/`, `${BASE}/r/${TOKEN}/claim`],
    [`${BASE}/r/${TOKEN}/claim`, `${BASE}/r/${TOKEN}/claim`],
    [`${BASE}/r/${TOKEN}/inspect`, `${BASE}/r/${TOKEN}/claim`],
    [`${BASE}/r/${TOKEN}?utm=x#frag`, `${BASE}/r/${TOKEN}/claim`],
    [`https://proxy.example/kubbi/r/${TOKEN}`, `https://proxy.example/kubbi/r/${TOKEN}/claim`],
    [`  ${BASE}/r/${TOKEN}  `, `${BASE}/r/${TOKEN}/claim`],
  ])("a full URL %s is claimed at its own origin", async (input, expected) => {
    answerEverywhere();
    await claim(input);
    expect(seen.map((r) => [r.method, r.url])).toEqual([["POST", expected]]);
  });

  it("inspect is a GET on the token path and maps to camelCase", async () => {
    answerEverywhere();
    const result = await inspect(`${BASE}/r/${TOKEN}`);
    expect(seen.map((r) => [r.method, r.url])).toEqual([["GET", `${BASE}/r/${TOKEN}`]]);
    expect(result).toMatchObject({
      kubbiId: "k1",
      status: "active",
      contentType: "text/plain",
      fileCount: null,
      remainingReads: 1,
      claim: { method: "POST" },
    });
  });

  it("a bare token goes to baseUrl, and needs one", async () => {
    answerEverywhere();
    await expect(claim(TOKEN)).rejects.toThrow(/baseUrl/);
    await expect(claim(TOKEN)).rejects.toBeInstanceOf(KubbiUsageError);
    await claim(TOKEN, { baseUrl: "https://pinned.example/" });
    expect(seen.map((r) => r.url)).toEqual([`https://pinned.example/r/${TOKEN}/claim`]);
  });

  it.each([
    "ftp://files.example/r/abc",
    "javascript:alert(1)//r/abc",
    "file:///etc/r/abc",
    "https://x.example/nope/abc",
    "not a token",
    "abc/../../admin",
    "",
  ])("refuses %j before sending anything", async (input) => {
    answerEverywhere();
    await expect(claim(input, { baseUrl: BASE })).rejects.toBeInstanceOf(KubbiUsageError);
    expect(seen).toHaveLength(0);
  });
});

describe("origin pinning for URLs from untrusted input", () => {
  it("allowedOrigins refuses any other origin and sends nothing", async () => {
    answerEverywhere();
    const attempts = [
      `https://evil.example/r/${TOKEN}`,
      `http://api.test.kubbi/r/${TOKEN}`, // same host, other scheme
      `https://api.test.kubbi:8443/r/${TOKEN}`, // same host, other port
      `https://api.test.kubbi.evil.example/r/${TOKEN}`,
      `https://api.test.kubbi@evil.example/r/${TOKEN}`,
    ];
    for (const url of attempts) {
      const error = await claim(url, { allowedOrigins: [BASE] }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(KubbiOriginNotAllowedError);
      await expect(inspect(url, { allowedOrigins: [BASE] })).rejects.toBeInstanceOf(KubbiOriginNotAllowedError);
    }
    expect(seen).toHaveLength(0);
    await claim(`${BASE}/r/${TOKEN}`, { allowedOrigins: ["https://other.example", `${BASE}/`] });
    expect(seen).toHaveLength(1);
  });

  it("baseUrl pins too", async () => {
    answerEverywhere();
    await expect(claim(`https://evil.example/r/${TOKEN}`, { baseUrl: BASE })).rejects.toBeInstanceOf(
      KubbiOriginNotAllowedError,
    );
    await claim(`${BASE}/r/${TOKEN}`, { baseUrl: BASE });
    expect(seen.map((r) => r.url)).toEqual([`${BASE}/r/${TOKEN}/claim`]);
  });

  it("the client's claim and inspect are pinned to its baseUrl and never send its key", async () => {
    answerEverywhere();
    const client = new KubbiClient({ apiKey: API_KEY, baseUrl: BASE });
    await expect(client.claim(`https://evil.example/r/${TOKEN}`)).rejects.toBeInstanceOf(KubbiOriginNotAllowedError);
    await client.inspect(`${BASE}/r/${TOKEN}`);
    await client.claim(TOKEN);
    await client.claim(`https://mirror.example/r/${TOKEN}`, { allowedOrigins: ["https://mirror.example"] });
    expect(seen.map((r) => r.url)).toEqual([
      `${BASE}/r/${TOKEN}`,
      `${BASE}/r/${TOKEN}/claim`,
      `https://mirror.example/r/${TOKEN}/claim`,
    ]);
    for (const request of seen) expect(request.headers.get("authorization")).toBeNull();
  });
});

describe("claimed content", () => {
  it("a single JSON kubbi gives the parsed value", async () => {
    server.use(
      http.post(`${BASE}/r/:token/claim`, () =>
        HttpResponse.json({ ...claimWire, content: { order_id: "123" }, content_type: "application/json" }),
      ),
    );
    const result = await claim(`${BASE}/r/${TOKEN}`);
    expect(result).toEqual({
      type: "kubbi",
      kubbiId: "k1",
      content: { order_id: "123" },
      contentType: "application/json",
      metadata: null,
      createdAt: "2026-03-28T12:00:00.000Z",
      expiresAt: "2026-03-28T13:00:00.000Z",
      retrievalCount: 1,
      remainingReads: 0,
      burned: true,
    });
  });

  it("a package gives every file as bytes, and as text where it is text", async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    server.use(
      http.post(`${BASE}/r/:token/claim`, () =>
        HttpResponse.json({
          type: "kubbi_package",
          kubbi_id: "p1",
          file_count: 2,
          total_size_bytes: 14,
          files: [
            {
              name: "notes.md",
              content_type: "text/markdown",
              size_bytes: 8,
              role: "instructions",
              sha256: "aa",
              content: "# héllo",
              encoding: null,
            },
            {
              name: "logo.png",
              content_type: "image/png",
              size_bytes: 6,
              role: null,
              sha256: "bb",
              content: Buffer.from(binary).toString("base64"),
              encoding: "base64",
            },
          ],
          metadata: { run: 7 },
          created_at: "2026-03-28T12:00:00.000Z",
          expires_at: "2026-03-28T13:00:00.000Z",
          retrieval_count: 1,
          remaining_reads: null,
          burned: false,
        }),
      ),
    );
    const result = await claim(`${BASE}/r/${TOKEN}`);
    if (result.type !== "kubbi_package") throw new Error("expected a package");
    expect(result).toMatchObject({
      kubbiId: "p1",
      fileCount: 2,
      totalSizeBytes: 14,
      metadata: { run: 7 },
      remainingReads: null,
      burned: false,
    });
    const [notes, logo] = result.files;
    expect(notes).toMatchObject({
      name: "notes.md",
      contentType: "text/markdown",
      role: "instructions",
      text: "# héllo",
      sha256: "aa",
      sizeBytes: 8,
    });
    expect(notes!.bytes).toEqual(new TextEncoder().encode("# héllo"));
    expect(logo).toMatchObject({ name: "logo.png", text: null, role: null });
    expect(logo!.bytes).toEqual(binary);
  });
});
