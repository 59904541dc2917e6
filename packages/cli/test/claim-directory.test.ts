/**
 * A producer chooses every file name in a package. The attack: a package of `.npmrc` (pointing npm at a
 * script) plus a JS file, claimed with a plain `kubbi claim URL` in a project directory, gave code execution
 * on the consumer's next `npm test`. Run as subprocesses against the live API, each in its own empty cwd.
 */
import { mkdir, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { KubbiClient, type FileInput } from "@kubbi.ai/sdk";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { kubbi, tempDir } from "./run.js";

const { baseUrl, apiKey } = inject("kubbi");
const sdk = new KubbiClient({ apiKey, baseUrl });

const NPMRC: FileInput = { name: ".npmrc", content: "node-options=--require ./index.js\n", contentType: "text/plain" };
const SCRIPT: FileInput = {
  name: "index.js",
  content: "require('child_process').execSync('touch /tmp/pwned')\n",
  contentType: "text/javascript",
};

let cwd: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => (cwd = await tempDir()));
afterEach(() => cwd.cleanup());

const send = (files: FileInput[], maxRetrievals = 1) => sdk.sendFiles({ files, ttlSeconds: 600, maxRetrievals });
const shortId = (id: string) => `kubbi-${id.replace(/-/g, "").slice(0, 8)}`;

describe("kubbi claim URL without -o", () => {
  it("refuses a .npmrc + JS package before claiming, writing nothing into the current directory", async () => {
    const sent = await send([NPMRC, SCRIPT]);
    const result = await kubbi(["claim", sent.claimUrl], { cwd: cwd.dir });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(
      /Refusing to write a file named "\.npmrc": a hidden file.*; nothing was claimed \(.*--allow-unsafe-names/,
    );
    expect(await readdir(cwd.dir)).toEqual([]);
    expect(await sdk.get(sent.id)).toMatchObject({ status: "active", retrievalCount: 0 });
  });

  it("writes a package into a new ./kubbi-<id>/ directory, never into the current one", async () => {
    const sent = await send([SCRIPT, { name: "notes.md", content: "# hi\n", contentType: "text/markdown" }]);
    const result = await kubbi(["claim", sent.claimUrl], { cwd: cwd.dir });
    expect(result.code).toBe(0);
    const directory = join(cwd.dir, shortId(sent.id));
    expect(result.stdout.trim().split("\n")).toEqual([join(directory, "index.js"), join(directory, "notes.md")]);
    expect(await readdir(cwd.dir)).toEqual([shortId(sent.id)]);
    expect((await readdir(directory)).sort()).toEqual(["index.js", "notes.md"]);
  });

  it("refuses to reuse an existing ./kubbi-<id>/, even empty and even with --force, before claiming", async () => {
    const sent = await send([{ name: "a.txt", content: "theirs", contentType: "text/plain" }], 2);
    await mkdir(join(cwd.dir, shortId(sent.id)));
    for (const args of [[], ["--force"]]) {
      const result = await kubbi(["claim", sent.claimUrl, ...args], { cwd: cwd.dir });
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(
        /already exists; nothing was claimed \(remove it, or choose a directory with -o DIR\)/,
      );
    }
    expect(await readdir(join(cwd.dir, shortId(sent.id)))).toEqual([]);
    expect(await sdk.get(sent.id)).toMatchObject({ retrievalCount: 0 });
  });

  it("--allow-unsafe-names writes the dotfile, still only inside the new directory", async () => {
    const sent = await send([NPMRC, SCRIPT]);
    const result = await kubbi(["claim", sent.claimUrl, "--allow-unsafe-names"], { cwd: cwd.dir });
    expect(result.code).toBe(0);
    expect(await readdir(cwd.dir)).toEqual([shortId(sent.id)]);
    expect(await readFile(join(cwd.dir, shortId(sent.id), ".npmrc"), "utf8")).toBe(NPMRC.content);
  });
});

describe("kubbi claim URL -o DIR", () => {
  it.each([".npmrc", ".envrc", "conftest.py", "Makefile", "package.json", "sitecustomize.py", ".gitattributes"])(
    "refuses %s into an existing project directory before claiming, unless --allow-unsafe-names",
    async (name) => {
      const sent = await send([SCRIPT, { name, content: "x", contentType: "text/plain" }], 2);
      const refused = await kubbi(["claim", sent.claimUrl, "-o", cwd.dir]);
      expect(refused.code).toBe(8);
      expect(refused.stderr).toMatch(/nothing was claimed/);
      expect(await readdir(cwd.dir)).toEqual([]);

      expect((await kubbi(["claim", sent.claimUrl, "-o", cwd.dir, "--allow-unsafe-names"])).code).toBe(0);
      expect((await readdir(cwd.dir)).sort()).toEqual(["index.js", name].sort());
    },
  );
});

describe("kubbi inspect", () => {
  it("marks names that tools load by themselves and warns on stderr, in text and JSON", async () => {
    const sent = await send([
      NPMRC,
      SCRIPT,
      { name: "conftest.py", content: "import os\n", contentType: "text/x-python" },
    ]);
    const shown = await kubbi(["inspect", sent.claimUrl]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^  \.npmrc\s+text\/plain\s+\S+ B\s+-\s+! unsafe name: a hidden file/m);
    expect(shown.stdout).toMatch(/^  conftest\.py\s+.*! unsafe name: pytest imports it$/m);
    expect(shown.stdout).toMatch(/^  index\.js\s+text\/javascript\s+\d+ B\s+-$/m);
    expect(shown.stderr).toBe(
      `kubbi: warning: ".npmrc", "conftest.py" are names that tools load or run by themselves; "kubbi claim" refuses to write them without --allow-unsafe-names\n`,
    );
    const json = await kubbi(["inspect", sent.claimUrl, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      files: [{ name: ".npmrc" }, { name: "index.js" }, { name: "conftest.py" }],
    });
    expect(json.stderr).toMatch(/warning: "\.npmrc", "conftest\.py"/);
  });
});
