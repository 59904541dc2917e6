/**
 * Claimed file names come from whoever sent the kubbi. The real API refuses unsafe names, so a tiny fake
 * API plays a malicious or compromised server here, to show the CLI never writes outside -o DIR anyway.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { lstat, readFile, readdir, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KubbiClient } from "@kubbi.ai/sdk";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kubbi, run, tempDir } from "./run.js";

const TOKEN = "A".repeat(43);
const SHA = "0".repeat(64);

interface FakeApi {
  origin: string;
  claims: () => number;
  close: () => Promise<void>;
}

/** Answers inspect with `inspectNames` and claim with `claimNames`, each file holding "pwned". */
async function fakeApi(inspectNames: string[], claimNames: string[]): Promise<FakeApi> {
  let claims = 0;
  const manifest = (names: string[]) => names.map((name) => ({ name, content_type: "text/plain", size_bytes: 5, role: null, sha256: SHA }));
  const common = { type: "kubbi_package", kubbi_id: "00000000-0000-4000-8000-000000000000", metadata: null, created_at: "2026-01-01T00:00:00.000Z", expires_at: "2099-01-01T00:00:00.000Z" };
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.method === "GET" && req.url === `/r/${TOKEN}`) {
      const files = manifest(inspectNames);
      return res.end(JSON.stringify({ ...common, status: "active", file_count: files.length, total_size_bytes: 5 * files.length, max_retrievals: 1, retrieval_count: 0, remaining_reads: 1, files, claim: { url: "", method: "POST", description: "" } }));
    }
    if (req.method === "POST" && req.url === `/r/${TOKEN}/claim`) {
      claims++;
      const files = manifest(claimNames).map((file) => ({ ...file, content: "pwned", encoding: null }));
      return res.end(JSON.stringify({ ...common, file_count: files.length, total_size_bytes: 5 * files.length, files, retrieval_count: 1, remaining_reads: 0, burned: true }));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: "not_found", message: "no", messages: [], request_id: null }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, claims: () => claims, close: () => new Promise<void>((done) => server.close(() => done())) };
}

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => (work = await tempDir()));
afterAll(() => work.cleanup());

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

describe("names that would escape -o DIR", () => {
  for (const name of ["../evil", "..", "/tmp/evil-absolute", "sub/evil", "sub\\evil", "evil\u0000.txt"]) {
    it(`refuses ${JSON.stringify(name)} from inspect before claiming`, async () => {
      const api = await fakeApi(["fine.txt", name], ["fine.txt", name]);
      const out = join(work.dir, "out", "deep");
      try {
        const result = await kubbi(["claim", `${api.origin}/r/${TOKEN}`, "-o", out]);
        expect(result.code).toBe(8);
        expect(result.stderr).toMatch(/Refusing to write .*nothing was claimed/);
        expect(api.claims()).toBe(0);
        expect(await exists(out)).toBe(false);
        expect(await exists(join(work.dir, "out", "evil"))).toBe(false);
      } finally {
        await api.close();
      }
    });
  }

  it("refuses a malicious name that appears only in the claim, writing nothing", async () => {
    const api = await fakeApi(["fine.txt"], ["fine.txt", "../evil"]);
    const out = join(work.dir, "claim-only");
    try {
      const result = await kubbi(["claim", `${api.origin}/r/${TOKEN}`, "-o", out]);
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/claimed but not written/);
      expect(api.claims()).toBe(1);
      expect(await exists(join(work.dir, "evil"))).toBe(false);
      expect(await exists(join(out, "fine.txt"))).toBe(false);
    } finally {
      await api.close();
    }
  });
});

describe("symlinks in -o DIR (live API)", () => {
  it("never writes through a symlink: refused without --force, replaced (not followed) with it", async () => {
    const { baseUrl, apiKey } = inject("kubbi");
    const sdk = new KubbiClient({ apiKey, baseUrl });
    const out = join(work.dir, "links");
    const victim = join(work.dir, "victim.txt");
    await run("mkdir", ["-p", out]);
    await writeFile(victim, "precious");
    await symlink(victim, join(out, "a.txt"));
    const sent = await sdk.sendFiles({ files: [{ name: "a.txt", content: "payload", contentType: "text/plain" }], ttlSeconds: 600, maxRetrievals: 1 });

    expect((await kubbi(["claim", sent.claimUrl, "-o", out])).code).toBe(8);
    expect(await readlink(join(out, "a.txt"))).toBe(victim);

    expect((await kubbi(["claim", sent.claimUrl, "-o", out, "--force"])).code).toBe(0);
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect((await lstat(join(out, "a.txt"))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(out, "a.txt"), "utf8")).toBe("payload");
    expect(await readdir(out)).toEqual(["a.txt"]);
  });
});
