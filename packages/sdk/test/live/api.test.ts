import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import {
  KubbiApiError,
  KubbiAuthenticationError,
  KubbiClient,
  KubbiGoneError,
  KubbiNotFoundError,
  KubbiOriginNotAllowedError,
  KubbiValidationError,
  claim,
  inspect,
  type FetchLike,
} from "../../src/index.js";
import { writeClaimedPackage } from "../../src/node.js";

const { baseUrl, apiKey } = inject("kubbi");
const client = new KubbiClient({ apiKey, baseUrl });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("a single payload, end to end", () => {
  it("send → get → inspect → claim → second claim is gone", async () => {
    const sent = await client.send({
      content: "sensitive data here",
      contentType: "text/plain",
      ttlSeconds: 3600,
      maxRetrievals: 1,
      metadata: { source: "billing" },
    });
    expect(sent).toMatchObject({
      type: "kubbi",
      status: "active",
      contentType: "text/plain",
      maxRetrievals: 1,
      metadata: { source: "billing" },
      totalSizeBytes: 19,
    });
    expect(sent.claimUrl).toBe(`${baseUrl}/r/${sent.claimToken}`);
    expect(Date.parse(sent.expiresAt) - Date.parse(sent.createdAt)).toBe(3_600_000);

    expect(await client.get(sent.id)).toMatchObject({
      id: sent.id,
      status: "active",
      retrievalCount: 0,
      remainingReads: 1,
      files: null,
      fileCount: null,
    });

    const info = await inspect(sent.claimUrl);
    expect(info).toMatchObject({
      kubbiId: sent.id,
      status: "active",
      contentType: "text/plain",
      retrievalCount: 0,
      remainingReads: 1,
      files: null,
    });
    expect(info.claim).toEqual({ url: `${sent.claimUrl}/claim`, method: "POST", description: expect.any(String) });

    const claimed = await claim(sent.claimUrl);
    expect(claimed).toMatchObject({
      type: "kubbi",
      kubbiId: sent.id,
      content: "sensitive data here",
      burned: true,
      retrievalCount: 1,
      remainingReads: 0,
    });

    const second = await claim(sent.claimUrl).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(KubbiGoneError);
    expect(second).toMatchObject({ status: 410, reason: "burned", code: "burned", attempts: 1 });
    expect((second as KubbiGoneError).requestId).toBeTruthy();

    expect(await client.get(sent.id)).toMatchObject({
      status: "burned",
      retrievalCount: 1,
      firstRetrievedAt: expect.any(String),
    });
  });

  it("JSON content comes back parsed; retrievals count down", async () => {
    const sent = await client.send({
      content: { order_id: "123", items: [1, 2] },
      contentType: "application/json",
      ttlSeconds: 600,
      maxRetrievals: 2,
    });
    const first = await client.claim(sent.claimUrl);
    expect(first).toMatchObject({
      content: { order_id: "123", items: [1, 2] },
      contentType: "application/json",
      burned: false,
      remainingReads: 1,
    });
    // A bare token works with a baseUrl.
    expect(await claim(sent.claimToken, { baseUrl })).toMatchObject({ burned: true, remainingReads: 0 });
    await expect(client.claim(sent.claimToken)).rejects.toBeInstanceOf(KubbiGoneError);
  });

  it("an expired kubbi is gone with reason expired", async () => {
    const sent = await client.send({ content: "brief", contentType: "text/plain", ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await expect(inspect(sent.claimUrl)).rejects.toMatchObject({ reason: "expired" });
    await expect(claim(sent.claimUrl)).rejects.toMatchObject({ reason: "expired" });
  });
});

describe("packages", () => {
  it("text and binary files round-trip byte for byte", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 254, 255]);
    const csv = "a,b\n1,2\n";
    const config = JSON.stringify({ env: "prod" });
    const sent = await client.sendFiles({
      files: [
        { name: "config.json", content: config, contentType: "application/json", role: "config" },
        { name: "data.csv", content: new TextEncoder().encode(csv), contentType: "text/csv", role: "data" },
        { name: "logo.png", content: png, contentType: "image/png", role: "attachment" },
        { name: "blob.bin", content: new Blob([png]), contentType: "application/octet-stream" },
        { name: "buffer.bin", content: png.buffer.slice(0), contentType: "application/octet-stream" },
      ],
      ttlSeconds: 3600,
      maxRetrievals: 1,
      metadata: { run: 7 },
    });
    expect(sent).toMatchObject({
      type: "kubbi_package",
      fileCount: 5,
      totalSizeBytes: config.length + csv.length + 3 * png.length,
    });
    expect(sent.files.map((f) => [f.name, f.sizeBytes, f.sha256])).toEqual([
      ["config.json", config.length, sha256(new TextEncoder().encode(config))],
      ["data.csv", csv.length, sha256(new TextEncoder().encode(csv))],
      ["logo.png", png.length, sha256(png)],
      ["blob.bin", png.length, sha256(png)],
      ["buffer.bin", png.length, sha256(png)],
    ]);

    // Inspect describes the files but never hashes them; the claim below carries the hashes.
    const info = await inspect(sent.claimUrl);
    expect(info).toMatchObject({ type: "kubbi_package", fileCount: 5, contentType: null });
    expect(info.files).toEqual(sent.files.map(({ sha256: _hash, ...entry }) => entry));
    expect(info.files!.every((file) => !("sha256" in file))).toBe(true);

    const claimed = await claim(sent.claimUrl);
    if (claimed.type !== "kubbi_package") throw new Error("expected a package");
    const byName = Object.fromEntries(claimed.files.map((f) => [f.name, f]));
    expect(byName["config.json"]).toMatchObject({ text: config, role: "config" });
    expect(byName["data.csv"]).toMatchObject({ text: csv, role: "data" });
    expect(byName["logo.png"]!.text).toBeNull();
    for (const file of claimed.files) expect(sha256(file.bytes), file.name).toBe(file.sha256);
    for (const name of ["logo.png", "blob.bin", "buffer.bin"]) expect(byName[name]!.bytes).toEqual(png);

    const directory = await mkdtemp(join(tmpdir(), "kubbi-claimed-"));
    try {
      await writeClaimedPackage(claimed, directory);
      expect(new Uint8Array(await readFile(join(directory, "logo.png")))).toEqual(png);
      expect(await readFile(join(directory, "data.csv"), "utf8")).toBe(csv);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("the API's own checks come back as KubbiValidationError with every message", async () => {
    const error = await client
      .sendFiles({ files: [{ name: "../evil", content: "x", contentType: "text/plain" }], ttlSeconds: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiValidationError);
    expect((error as KubbiValidationError).messages.length).toBeGreaterThanOrEqual(2);
  });
});

describe("list and delete", () => {
  it("lists newest first, one page or every page", async () => {
    // Other live test files create kubbis on the same key at the same time, so this checks order, not exact pages.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await client.send({ content: `item ${i}`, contentType: "text/plain", ttlSeconds: 600 })).id);
    const page = await client.list({ page: 1, limit: 2 });
    expect(page.kubbis).toHaveLength(2);
    expect(page.pagination).toMatchObject({ page: 1, limit: 2 });
    expect(page.pagination.totalPages).toBe(Math.ceil(page.pagination.total / 2));

    const walked: string[] = [];
    for await (const kubbi of client.list({ limit: 2 })) walked.push(kubbi.id);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.length).toBeGreaterThanOrEqual(page.pagination.total);
    const positions = ids.map((id) => walked.indexOf(id));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions[2]!).toBeLessThan(positions[1]!);
    expect(positions[1]!).toBeLessThan(positions[0]!);
  });

  it("delete wipes it: claims get 410 deleted, a second delete is a 409 conflict", async () => {
    const sent = await client.send({ content: "changed my mind", contentType: "text/plain", ttlSeconds: 600 });
    expect(await client.delete(sent.id)).toEqual({ id: sent.id, status: "deleted" });
    await expect(claim(sent.claimUrl)).rejects.toMatchObject({ reason: "deleted" });
    const again = await client.delete(sent.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(KubbiApiError);
    expect(again).toMatchObject({ status: 409, code: "conflict" });
    expect(await client.get(sent.id)).toMatchObject({ status: "deleted" });
  });
});

describe("errors from the real API", () => {
  it("unknown id and token are KubbiNotFoundError", async () => {
    await expect(client.get("00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(KubbiNotFoundError);
    await expect(inspect("A".repeat(43), { baseUrl })).rejects.toBeInstanceOf(KubbiNotFoundError);
  });

  it("a wrong key is KubbiAuthenticationError", async () => {
    const stranger = new KubbiClient({ apiKey: `kb_${"x".repeat(43)}`, baseUrl });
    await expect(stranger.send({ content: "x", contentType: "text/plain", ttlSeconds: 60 })).rejects.toBeInstanceOf(
      KubbiAuthenticationError,
    );
  });
});

describe("idempotent sends", () => {
  it("the same key returns the same kubbi; the same key with another body is refused", async () => {
    const idempotencyKey = `test-${crypto.randomUUID()}`;
    const params = { content: "once", contentType: "text/plain", ttlSeconds: 600 } as const;
    const first = await client.send(params, { idempotencyKey });
    const replay = await client.send(params, { idempotencyKey });
    expect(replay).toEqual(first);
    const other = await client.send({ ...params, content: "twice" }, { idempotencyKey }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(KubbiValidationError);
    expect(other).toMatchObject({ status: 422, code: "idempotency_key_reused" });
  });

  it("a send whose response is lost is retried into the same kubbi, not a second one", async () => {
    const delivered: string[] = [];
    let lost = false;
    // The request reaches the API and is committed; the response never reaches the caller the first time.
    const losingFetch: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (!lost && init.method === "POST") {
        lost = true;
        delivered.push(((await response.json()) as { id: string }).id);
        throw new TypeError("fetch failed: connection reset");
      }
      return response;
    };
    const flaky = new KubbiClient({ apiKey, baseUrl, fetch: losingFetch });
    const marker = crypto.randomUUID();
    const sent = await flaky.send({
      content: "exactly one",
      contentType: "text/plain",
      ttlSeconds: 600,
      metadata: { marker },
    });
    expect(delivered).toEqual([sent.id]);
    const created: string[] = [];
    for await (const kubbi of client.list({ limit: 100 }))
      if (kubbi.metadata?.marker === marker) created.push(kubbi.id);
    expect(created).toEqual([sent.id]);
  });
});

describe("claims are never served twice", () => {
  it("a claim whose response is lost is retried, and the retry gets 410 burned", async () => {
    const sent = await client.send({
      content: "one read only",
      contentType: "text/plain",
      ttlSeconds: 600,
      maxRetrievals: 1,
    });
    let lost = false;
    const losingFetch: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (!lost && url.endsWith("/claim")) {
        lost = true;
        await response.text();
        throw new TypeError("fetch failed: connection reset");
      }
      return response;
    };
    const error = await claim(sent.claimUrl, { fetch: losingFetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubbiGoneError);
    expect(error).toMatchObject({ reason: "burned", attempts: 2 });
    expect(await client.get(sent.id)).toMatchObject({ status: "burned", retrievalCount: 1 });
  });
});

describe("origin pinning against the real API", () => {
  it("a claim URL outside allowedOrigins is refused and the kubbi stays unclaimed", async () => {
    const sent = await client.send({ content: "pinned", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 1 });
    const forged = sent.claimUrl.replace("127.0.0.1", "localhost");
    await expect(claim(forged, { allowedOrigins: [baseUrl] })).rejects.toBeInstanceOf(KubbiOriginNotAllowedError);
    await expect(client.claim(forged)).rejects.toBeInstanceOf(KubbiOriginNotAllowedError);
    expect(await inspect(sent.claimUrl, { allowedOrigins: [baseUrl] })).toMatchObject({
      retrievalCount: 0,
      status: "active",
    });
  });
});
