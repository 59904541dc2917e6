/**
 * SECURITY.md backs every claim with a test, named by its file and title. Each of those tests must
 * exist: renaming or deleting one without updating the document fails here, so the threat model never
 * cites a test that no longer runs.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo.js";

const run = promisify(execFile);

interface Citation {
  file: string;
  title: string;
}

/** The cited tests: each quoted title belongs to the test file named last before it. */
function citations(markdown: string): Citation[] {
  const found: Citation[] = [];
  let file: string | undefined;
  // A title may wrap across lines in the document: its whitespace is one space, as in the source.
  for (const match of markdown.matchAll(/`([^`\s]+\.test\.ts)`|"([^"]{1,300})"/g)) {
    if (match[1]) file = match[1];
    else if (file && match[2]) found.push({ file, title: match[2].replace(/\s+/g, " ") });
  }
  return found;
}

/** Every test file of the repository, by its path. */
async function testFiles(): Promise<string[]> {
  const { stdout } = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.test.ts"], {
    cwd: REPO_ROOT,
  });
  return stdout.split("\n").filter(Boolean);
}

describe("SECURITY.md", () => {
  it("cites tests that exist: each named file is in the repository and holds each title cited from it", async () => {
    const markdown = await readFile(resolve(REPO_ROOT, "SECURITY.md"), "utf8");
    const cited = citations(markdown);
    expect(cited.length).toBeGreaterThan(30);
    const files = await testFiles();
    const missing: string[] = [];
    for (const { file, title } of cited) {
      // A path, or a bare file name after its first full mention: either must name one file.
      const matches = files.filter((path) => path === file || (!file.includes("/") && basename(path) === file));
      if (matches.length !== 1) {
        missing.push(`${file}: ${matches.length === 0 ? "no such test file" : "ambiguous"}`);
        continue;
      }
      const source = await readFile(resolve(REPO_ROOT, matches[0]!), "utf8");
      // "…" stands for a part of the title left out.
      const parts = title
        .split("…")
        .map((part) => part.trim())
        .filter(Boolean);
      if (!parts.every((part) => source.includes(part))) missing.push(`${matches[0]}: "${title}"`);
    }
    expect(missing).toEqual([]);
  });

  it("reads a citation as the title after the file named last", () => {
    expect(citations('`a/x.test.ts` "one" and "two"; `y.test.ts` "three"')).toEqual([
      { file: "a/x.test.ts", title: "one" },
      { file: "a/x.test.ts", title: "two" },
      { file: "y.test.ts", title: "three" },
    ]);
  });
});
