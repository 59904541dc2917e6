/**
 * Claimed file names come from whoever sent the kubbi. The real API refuses unsafe names, so a tiny fake
 * API plays a malicious or compromised server here, to show the CLI never writes outside -o DIR anyway.
 */
import { createHash } from "node:crypto";
import { lstat, readFile, readdir, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KubbiClient } from "@kubbi.ai/sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { startFakeApi, type FakeApi } from "./fake-api.js";
import { runMain as kubbi } from "./in-process.js";
import { kubbi as kubbiProcess, run, tempDir } from "./run.js";

const TOKEN = "A".repeat(43);
// The sha256 of "pwned", the content of every file this fake API sends.
const SHA = createHash("sha256").update("pwned").digest("hex");

const common = {
  type: "kubbi_package",
  kubbi_id: "00000000-0000-4000-8000-000000000000",
  metadata: null,
  created_at: "2026-01-01T00:00:00.000Z",
  expires_at: "2099-01-01T00:00:00.000Z",
};
const manifest = (names: string[]) =>
  names.map((name) => ({ name, content_type: "text/plain", size_bytes: 5, role: null, sha256: SHA }));
const inspectRoute = `GET /r/${TOKEN}`;
const claimRoute = `POST /r/${TOKEN}/claim`;

/** Answers inspect with `inspectNames` and claim with `claimNames`, each file holding "pwned". */
function fakeApi(
  inspectNames: string[],
  claimNames: string[],
  overrides: { kubbiId?: string; sha256?: string } = {},
): Promise<FakeApi> {
  const ids = overrides.kubbiId === undefined ? {} : { kubbi_id: overrides.kubbiId };
  const inspected = manifest(inspectNames);
  const claimed = manifest(claimNames).map((file) => ({
    ...file,
    sha256: overrides.sha256 ?? file.sha256,
    content: "pwned",
    encoding: null,
  }));
  return startFakeApi({
    [inspectRoute]: {
      body: {
        ...common,
        ...ids,
        status: "active",
        file_count: inspected.length,
        total_size_bytes: 5 * inspected.length,
        max_retrievals: 1,
        retrieval_count: 0,
        remaining_reads: 1,
        files: inspected,
        claim: { url: "", method: "POST", description: "" },
      },
    },
    [claimRoute]: {
      body: {
        ...common,
        ...ids,
        file_count: claimed.length,
        total_size_bytes: 5 * claimed.length,
        files: claimed,
        retrieval_count: 1,
        remaining_reads: 0,
        burned: true,
      },
    },
  });
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
        expect(api.hits(claimRoute)).toBe(0);
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
      expect(api.hits(claimRoute)).toBe(1);
      expect(await exists(join(work.dir, "evil"))).toBe(false);
      expect(await exists(join(out, "fine.txt"))).toBe(false);
    } finally {
      await api.close();
    }
  });
});

describe("a hostile server and the default directory", () => {
  let cwd: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (cwd = await tempDir()));
  afterEach(() => cwd.cleanup());

  it("a .npmrc that appears only in the claim is claimed but not written, and nothing lands in the current directory", async () => {
    const api = await fakeApi(["index.js"], ["index.js", ".npmrc"]);
    try {
      const result = await kubbiProcess(["claim", `${api.origin}/r/${TOKEN}`], { cwd: cwd.dir });
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/"\.npmrc": a hidden file.*claimed but not written/);
      expect(await readdir(cwd.dir)).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it("a kubbi id of ../../ cannot steer the new directory out of the current one", async () => {
    const api = await fakeApi(["a.txt"], ["a.txt"], { kubbiId: "../../../tmp/x/../evil" });
    try {
      const result = await kubbiProcess(["claim", `${api.origin}/r/${TOKEN}`], { cwd: cwd.dir });
      expect(result.code).toBe(0);
      expect(await readdir(cwd.dir)).toEqual(["kubbi-tmpxevil"]);
      expect(await readFile(join(cwd.dir, "kubbi-tmpxevil", "a.txt"), "utf8")).toBe("pwned");
    } finally {
      await api.close();
    }
  });

  it("bytes that do not match the sha256 the claim carries are never written", async () => {
    const api = await fakeApi(["a.txt"], ["a.txt"], { sha256: "0".repeat(64) });
    try {
      const result = await kubbi(["claim", `${api.origin}/r/${TOKEN}`, "-o", join(cwd.dir, "out")]);
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/"a\.txt" do not match the sha256 the API sent.*claimed but not written/);
      expect(await readdir(cwd.dir)).toEqual([]);
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
    const sent = await sdk.sendFiles({
      files: [{ name: "a.txt", content: "payload", contentType: "text/plain" }],
      ttlSeconds: 600,
      maxRetrievals: 1,
    });

    expect((await kubbi(["claim", sent.claimUrl, "-o", out])).code).toBe(8);
    expect(await readlink(join(out, "a.txt"))).toBe(victim);

    expect((await kubbi(["claim", sent.claimUrl, "-o", out, "--force"])).code).toBe(0);
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect((await lstat(join(out, "a.txt"))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(out, "a.txt"), "utf8")).toBe("payload");
    expect(await readdir(out)).toEqual(["a.txt"]);
  });
});
