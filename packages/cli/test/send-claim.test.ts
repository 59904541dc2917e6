/** `kubbi send` and `kubbi claim` end to end against the live API: in-process through main(argv, io), and one shell pipeline of the built bin. */
import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KubbiClient } from "@kubbi.ai/sdk";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runMain as kubbi } from "./in-process.js";
import { commandDirectory, run, tempDir } from "./run.js";

const { baseUrl, apiKey } = inject("kubbi");
const env = { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };
const sdk = new KubbiClient({ apiKey, baseUrl });
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => (work = await tempDir()));
afterAll(() => work.cleanup());

describe("piping", () => {
  it("kubbi send - < file | xargs kubbi claim prints the file; a second claim exits 4", async () => {
    const bin = await commandDirectory();
    try {
      const file = join(work.dir, "note.txt");
      await writeFile(file, "line one\nline two\n");
      const pathEnv = { ...env, PATH: `${bin.dir}:${process.env.PATH}` };
      const piped = await run(
        "bash",
        ["-o", "pipefail", "-c", `kubbi send - < '${file}' | tee '${work.dir}/url' | xargs kubbi claim`],
        { env: pathEnv },
      );
      expect(piped).toMatchObject({ code: 0, stdout: "line one\nline two\n", stderr: "" });

      const url = (await readFile(join(work.dir, "url"), "utf8")).trim();
      expect(url).toMatch(new RegExp(`^${baseUrl}/r/[A-Za-z0-9_-]{43}$`));
      const again = await run("bash", ["-c", `kubbi claim '${url}'`], { env: pathEnv });
      expect(again.code).toBe(4);
      expect(again.stdout).toBe("");
      expect(again.stderr).toMatch(/burned/);
    } finally {
      await bin.cleanup();
    }
  });
});

describe("send", () => {
  it("--json gives the created kubbi; --ttl, --max-retrievals and --metadata reach the API", async () => {
    const sent = await kubbi(
      ["send", "-", "--ttl", "10m", "--max-retrievals", "3", "--metadata", '{"ticket":"OPS-1"}', "--json"],
      { input: "abc", env },
    );
    expect(sent.code).toBe(0);
    const body = JSON.parse(sent.stdout);
    expect(body).toMatchObject({
      type: "kubbi",
      contentType: "text/plain",
      maxRetrievals: 3,
      metadata: { ticket: "OPS-1" },
      totalSizeBytes: 3,
    });
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(600_000);

    for (const [ttl, seconds] of [
      ["3600", 3600],
      ["1h", 3600],
      ["90s", 90],
      ["1d", 86_400],
    ] as const) {
      const { stdout } = await kubbi(["send", "-", "--ttl", ttl, "--json"], { input: "x", env });
      const created = JSON.parse(stdout);
      expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt), ttl).toBe(seconds * 1000);
    }
  });

  it("defaults to burn after one claim; --max-retrievals unlimited sends none", async () => {
    const once = JSON.parse((await kubbi(["send", "-", "--json"], { input: "x", env })).stdout);
    expect(once.maxRetrievals).toBe(1);
    const unlimited = JSON.parse(
      (await kubbi(["send", "-", "--max-retrievals", "unlimited", "--json"], { input: "x", env })).stdout,
    );
    expect(unlimited.maxRetrievals).toBeNull();
  });

  it("sends one JSON file as a single JSON payload, and as a package with --package", async () => {
    const file = join(work.dir, "order.json");
    await writeFile(file, '{"order": 7}');
    const single = JSON.parse((await kubbi(["send", file, "--json"], { env })).stdout);
    expect(single).toMatchObject({ type: "kubbi", contentType: "application/json" });
    const claimed = await kubbi(["claim", single.claimUrl]);
    expect(JSON.parse(claimed.stdout)).toEqual({ order: 7 });

    const packaged = JSON.parse((await kubbi(["send", file, "--package", "--role", "data", "--json"], { env })).stdout);
    expect(packaged).toMatchObject({
      type: "kubbi_package",
      fileCount: 1,
      files: [{ name: "order.json", contentType: "application/json", role: "data" }],
    });
  });

  it("sends one text file of any text type as text/plain; --package or --content-type keeps its type", async () => {
    const file = join(work.dir, "notes.md");
    await writeFile(file, "# Notes\n");
    expect(JSON.parse((await kubbi(["send", file, "--json"], { env })).stdout)).toMatchObject({
      type: "kubbi",
      contentType: "text/plain",
      totalSizeBytes: 8,
    });
    expect(JSON.parse((await kubbi(["send", file, "--package", "--json"], { env })).stdout)).toMatchObject({
      type: "kubbi_package",
      files: [{ name: "notes.md", contentType: "text/markdown" }],
    });
    expect(
      JSON.parse((await kubbi(["send", file, "--content-type", "text/x-notes", "--json"], { env })).stdout),
    ).toMatchObject({ type: "kubbi_package", files: [{ contentType: "text/x-notes" }] });
  });

  it("sends binary stdin as a package file named by --name", async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x81]);
    const sent = JSON.parse((await kubbi(["send", "-", "--name", "blob.bin", "--json"], { input: bytes, env })).stdout);
    expect(sent).toMatchObject({
      type: "kubbi_package",
      files: [{ name: "blob.bin", contentType: "application/octet-stream", sizeBytes: 5, sha256: sha256(bytes) }],
    });
  });
});

describe("claim", () => {
  it("writes a package's files byte for byte into -o DIR and prints their paths", async () => {
    const source = join(work.dir, "src");
    const out = join(work.dir, "out");
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);
    await run("mkdir", ["-p", source]);
    await writeFile(join(source, "README.md"), "# Deploy\nRun it.\n");
    await writeFile(join(source, "logo.png"), png);

    const sent = await kubbi(["send", join(source, "README.md"), join(source, "logo.png"), "--role", "attachment"], {
      env,
    });
    expect(sent.code).toBe(0);
    const url = sent.stdout.trim();
    const claimed = await kubbi(["claim", url, "-o", out]);
    expect(claimed.code).toBe(0);
    expect(claimed.stdout.trim().split("\n")).toEqual([join(out, "README.md"), join(out, "logo.png")]);
    expect(claimed.stderr).toMatch(/burned/);
    expect(await readFile(join(out, "README.md"), "utf8")).toBe("# Deploy\nRun it.\n");
    expect(await readFile(join(out, "logo.png"))).toEqual(png);

    expect((await kubbi(["claim", url, "-o", out])).code).toBe(4);
  });

  it("refuses to overwrite without --force, before claiming anything", async () => {
    const out = join(work.dir, "existing");
    await run("mkdir", ["-p", out]);
    await writeFile(join(out, "a.txt"), "mine");
    const sent = await sdk.sendFiles({
      files: [{ name: "a.txt", content: "theirs", contentType: "text/plain" }],
      ttlSeconds: 600,
      maxRetrievals: 1,
    });

    const refused = await kubbi(["claim", sent.claimUrl, "-o", out]);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toMatch(/already exists; nothing was claimed/);
    expect(await readFile(join(out, "a.txt"), "utf8")).toBe("mine");
    expect(await sdk.get(sent.id)).toMatchObject({ status: "active", retrievalCount: 0 });

    const forced = await kubbi(["claim", sent.claimUrl, "-o", out, "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      type: "kubbi_package",
      burned: true,
      files: [{ name: "a.txt", path: join(out, "a.txt") }],
    });
    expect(await readFile(join(out, "a.txt"), "utf8")).toBe("theirs");
    expect(await readdir(out)).toEqual(["a.txt"]);
  });

  it("prints a single payload byte for byte when piped, and writes it as payload.txt with -o", async () => {
    const text = "no trailing newline";
    const first = await sdk.send({ content: text, contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 2 });
    expect(await kubbi(["claim", first.claimUrl])).toMatchObject({ code: 0, stdout: text });

    const out = join(work.dir, "single");
    const written = await kubbi(["claim", first.claimUrl, "-o", out]);
    expect(written).toMatchObject({ code: 0, stdout: `${join(out, "payload.txt")}\n` });
    expect(await readFile(join(out, "payload.txt"), "utf8")).toBe(text);
  });

  it("--json prints the claimed single payload", async () => {
    const sent = await sdk.send({ content: { a: [1, 2] }, contentType: "application/json", ttlSeconds: 600 });
    const claimed = await kubbi(["claim", sent.claimUrl, "--json"]);
    expect(JSON.parse(claimed.stdout)).toMatchObject({
      type: "kubbi",
      kubbiId: sent.id,
      content: { a: [1, 2] },
      burned: false,
    });
  });
});
