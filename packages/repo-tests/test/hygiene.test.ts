/**
 * The repository stands on its own: every relative link in its markdown resolves to a file or folder
 * inside it, nothing points at the product documents it was built from (they are not part of it), and
 * the license the packages declare is there.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo.js";

const run = promisify(execFile);

/** Tracked files (and new ones not yet committed), as a fresh clone has them: no node_modules, no dist. */
async function repoFiles(...patterns: string[]): Promise<string[]> {
  const { stdout } = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", ...patterns], {
    cwd: REPO_ROOT,
  });
  return stdout.split("\n").filter((path) => path && existsSync(resolve(REPO_ROOT, path)));
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const inline = [...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
  const references = [...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1]!);
  return [...inline, ...references];
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

describe("the repository's markdown", () => {
  it("links only to files and folders that exist inside the repository", async () => {
    const broken: string[] = [];
    const files = await repoFiles("*.md");
    expect(files).toContain("README.md");
    for (const file of files) {
      for (const target of linkTargets(await readFile(resolve(REPO_ROOT, file), "utf8"))) {
        if (isExternal(target) || target.startsWith("#")) continue;
        const path = decodeURIComponent(target.replace(/[#?].*$/, ""));
        const absolute = path.startsWith("/")
          ? resolve(REPO_ROOT, `.${path}`)
          : resolve(REPO_ROOT, dirname(file), path);
        const inside = absolute === REPO_ROOT || absolute.startsWith(REPO_ROOT + sep);
        if (!inside || !existsSync(absolute))
          broken.push(`${file}: ${target}${inside ? "" : " (outside the repository)"}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the architecture notes the README cites are in docs/architecture.md", async () => {
    const readme = await readFile(resolve(REPO_ROOT, "README.md"), "utf8");
    expect(linkTargets(readme)).toContain("docs/architecture.md");
  });
});

describe("the repository's text files", () => {
  // The product documents kubbi was built from live outside this repository; what they say is written
  // out where it is needed, so no file names them by path.
  const OUTSIDE_DOCUMENTS = [
    /\.\.\/shared\b/,
    /\/work\/shared\b/,
    /\bseeds\b/i,
    /\bseed (example|quickstart|scenario)/i,
  ];

  it("never reference the product documents outside the repository", async () => {
    const self = relative(REPO_ROOT, import.meta.filename);
    const files = (await repoFiles()).filter(
      (path) => path !== self && !path.endsWith("pnpm-lock.yaml") && !/\.(png|jpe?g|gif|ico|woff2?|tgz)$/.test(path),
    );
    const found: string[] = [];
    for (const file of files) {
      const lines = (await readFile(resolve(REPO_ROOT, file), "utf8")).split("\n");
      lines.forEach((line, index) => {
        if (OUTSIDE_DOCUMENTS.some((pattern) => pattern.test(line))) found.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe("the license", () => {
  it("LICENSE is the MIT license that every package.json declaring a license names", async () => {
    expect(await readFile(resolve(REPO_ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    const declared = await Promise.all(
      (await repoFiles("package.json", "*/package.json", "*/*/package.json")).map(async (path) => [
        path,
        (JSON.parse(await readFile(resolve(REPO_ROOT, path), "utf8")) as { license?: string }).license,
      ]),
    );
    expect(declared.filter(([, license]) => license !== undefined && license !== "MIT")).toEqual([]);
    expect(declared.filter(([, license]) => license === "MIT").map(([path]) => path)).toEqual(
      expect.arrayContaining([
        "package.json",
        "packages/sdk/package.json",
        "packages/cli/package.json",
        "packages/mcp/package.json",
      ]),
    );
  });
});

describe("the workspace packages", () => {
  // pnpm links a dependency's bins at install time, before any build: a bin pointing into dist/ makes
  // `pnpm install` on a fresh clone warn "Failed to create bin ... ENOENT".
  it("point every bin at a committed file, so a fresh install links it before the build", async () => {
    const manifests = await repoFiles("*/package.json", "*/*/package.json");
    const tracked = new Set(await repoFiles());
    const bins: string[] = [];
    for (const manifest of manifests) {
      const { bin } = JSON.parse(await readFile(resolve(REPO_ROOT, manifest), "utf8")) as {
        bin?: string | Record<string, string>;
      };
      for (const target of typeof bin === "string" ? [bin] : Object.values(bin ?? {}))
        bins.push(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(manifest), target)));
    }
    expect(bins).toEqual(expect.arrayContaining(["packages/cli/bin/kubbi.js", "packages/mcp/bin/kubbi-mcp.js"]));
    expect(bins.filter((path) => !tracked.has(path))).toEqual([]);
  });
});
