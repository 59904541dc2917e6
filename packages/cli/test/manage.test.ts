/** inspect, list, get and delete run in-process through main(argv, io), and the exit codes scripts branch on. */
import { createServer } from "node:net";
import { KubbiClient } from "@kubbi.ai/sdk";
import { describe, expect, inject, it } from "vitest";
import { runMain as kubbi } from "./in-process.js";

const { baseUrl, apiKey } = inject("kubbi");
const env = { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };
const sdk = new KubbiClient({ apiKey, baseUrl });
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

describe("inspect, get, list, delete", () => {
  it("inspect shows status and files without claiming; works with a bare token and --base-url", async () => {
    const sent = await sdk.sendFiles({
      files: [{ name: "a.csv", content: "x,y\n1,2\n", contentType: "text/csv", role: "data" }],
      ttlSeconds: 600,
      metadata: { job: "42" },
    });
    const shown = await kubbi(["inspect", sent.claimUrl]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status\s+active$/m);
    expect(shown.stdout).toMatch(/package of 1 file/);
    // Name, type, size and role; never a content hash (inspect is free, so a hash would be a content oracle).
    expect(shown.stdout).toMatch(/^  a\.csv\s+text\/csv\s+8 B\s+data$/m);
    expect(shown.stdout).not.toMatch(/sha256|[0-9a-f]{64}/);
    expect(shown.stdout).toContain('{"job":"42"}');

    const byToken = await kubbi(["inspect", sent.claimToken, "--base-url", baseUrl, "--json"]);
    expect(JSON.parse(byToken.stdout)).toMatchObject({
      kubbiId: sent.id,
      retrievalCount: 0,
      files: [{ name: "a.csv" }],
    });
    expect(await sdk.get(sent.id)).toMatchObject({ retrievalCount: 0 });
  });

  it("list shows the newest first; get shows one; delete wipes it and a claim then exits 4", async () => {
    const older = await sdk.send({ content: "older", contentType: "text/plain", ttlSeconds: 600 });
    const sent = await sdk.send({ content: "revoke me", contentType: "text/plain", ttlSeconds: 600 });
    const listed = await kubbi(["list", "--limit", "100"], { env });
    expect(listed.code).toBe(0);
    // Other test files send with the same key meanwhile, so "newest first" is checked between these two.
    const [header, ...rows] = listed.stdout.split("\n");
    expect(header).toMatch(/^ID\s+STATUS\s+CONTENT\s+RETRIEVALS\s+EXPIRES$/);
    const newer = rows.findIndex((row) => row.startsWith(sent.id));
    expect(rows[newer]).toMatch(new RegExp(`^${sent.id}\\s+active\\s+text/plain, 9 B`));
    expect(newer).toBeLessThan(rows.findIndex((row) => row.startsWith(older.id)));
    const page = JSON.parse((await kubbi(["list", "--json", "--limit", "1"], { env })).stdout);
    expect(page).toMatchObject({
      kubbis: [{ id: expect.any(String), status: expect.any(String) }],
      pagination: { page: 1, limit: 1 },
    });
    expect(page.kubbis).toHaveLength(1);

    const got = await kubbi(["get", sent.id], { env });
    expect(got.stdout).toMatch(/^first claimed\s+never$/m);

    expect(await kubbi(["delete", sent.id], { env })).toMatchObject({ code: 0, stdout: `deleted ${sent.id}\n` });
    expect(JSON.parse((await kubbi(["get", sent.id, "--json"], { env })).stdout)).toMatchObject({ status: "deleted" });
    const claimed = await kubbi(["claim", sent.claimUrl]);
    expect(claimed.code).toBe(4);
    expect(claimed.stderr).toMatch(/^kubbi: deleted: /);
    const again = await kubbi(["delete", sent.id], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/conflict/);
  });
});

describe("list", () => {
  it('says "unlimited" plainly for a kubbi without a retrieval limit', async () => {
    const limited = await sdk.send({ content: "a", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 3 });
    const unlimited = await sdk.send({ content: "b", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: null });
    // Other test files send with the same key meanwhile: rows are found by id, not by position.
    const rows = (await kubbi(["list", "--limit", "100"], { env })).stdout.split("\n");
    expect(rows.find((row) => row.startsWith(unlimited.id))).toMatch(
      /\s+active\s+text\/plain, 1 B\s+0 of unlimited\s+\S+Z$/,
    );
    expect(rows.find((row) => row.startsWith(limited.id))).toMatch(
      /\s+active\s+text\/plain, 1 B\s+0 of 3 \(3 remaining\)\s+\S+Z$/,
    );
    expect((await kubbi(["get", unlimited.id], { env })).stdout).toMatch(/^retrievals\s+0 of unlimited$/m);
  });
});

describe("exit codes", () => {
  it("3 for an unknown id or claim URL", async () => {
    expect((await kubbi(["get", UNKNOWN_ID], { env })).code).toBe(3);
    expect((await kubbi(["inspect", `${baseUrl}/r/${"A".repeat(43)}`])).code).toBe(3);
    expect((await kubbi(["claim", `${baseUrl}/r/${"A".repeat(43)}`])).code).toBe(3);
  });

  it("5 without an API key or with one the API refuses, before reading stdin", async () => {
    const missing = await kubbi(["send", "-"], { input: "x", env: { KUBBI_BASE_URL: baseUrl } });
    expect(missing).toMatchObject({ code: 5, stdout: "" });
    expect(missing.stderr).toMatch(/KUBBI_API_KEY/);
    expect((await kubbi(["list", "--api-key", `kb_${"x".repeat(43)}`], { env })).code).toBe(5);
  });

  it("6 when the API rejects the request, with its messages", async () => {
    const tooLong = await kubbi(["send", "-", "--ttl", "30d"], { input: "x", env });
    expect(tooLong.code).toBe(6);
    expect(tooLong.stderr).toMatch(/validation_error/);
    expect(tooLong.stderr).toMatch(/ttl_seconds/);
    expect((await kubbi(["send", "-", "--content-type", "application/json"], { input: "{nope", env })).code).toBe(6);
  });

  it("7 when nothing answers", async () => {
    // A port that was free a moment ago: connections to it are refused.
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as { port: number };
    await new Promise<void>((done) => server.close(() => done()));
    const result = await kubbi(["list", "--base-url", `http://127.0.0.1:${port}`], { env: { KUBBI_API_KEY: apiKey } });
    expect(result.code).toBe(7);
  }, 30_000);

  it("2 for usage errors, and --help on every command exits 0", async () => {
    expect((await kubbi([])).code).toBe(2);
    expect((await kubbi(["frobnicate"])).code).toBe(2);
    expect((await kubbi(["send"], { env })).code).toBe(2);
    expect((await kubbi(["send", "-", "--ttl", "soon"], { env })).code).toBe(2);
    expect((await kubbi(["send", "-", "--metadata", "[1]"], { env })).code).toBe(2);
    expect((await kubbi(["send", "-", "--role", "boss"], { env })).code).toBe(2);
    expect((await kubbi(["send", "/no/such/file"], { env })).code).toBe(2);
    expect((await kubbi(["list", "--bogus"], { env })).code).toBe(2);
    expect((await kubbi(["claim", "not a url"])).code).toBe(2);

    for (const command of ["send", "inspect", "claim", "list", "get", "events", "delete"]) {
      const help = await kubbi([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: kubbi ${command}`));
    }
    expect(await kubbi(["--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/Exit codes:/) });
  });
});
