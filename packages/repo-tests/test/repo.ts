import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** The packages published to npm, as directories of the repository. */
export const PUBLIC_PACKAGES = ["packages/sdk", "packages/cli", "packages/mcp"];

/** The file name `pnpm pack` gives a package: @scope/name@1.2.3 → scope-name-1.2.3.tgz */
export async function tarballName(packageDir: string): Promise<string> {
  const { name, version } = JSON.parse(await readFile(resolve(REPO_ROOT, packageDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/**
 * The pnpm that runs this test (pnpm sets npm_execpath for the scripts it runs), else the one the
 * README names.
 */
export function pnpmCommand(): [command: string, args: string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && basename(execPath).startsWith("pnpm")) return [process.execPath, [execPath]];
  return ["npx", ["-y", "pnpm@10"]];
}

/** The first capture of `pattern` in a file of the repository (a code block after a marker). */
export async function readmeBlock(path: string, pattern: RegExp): Promise<string> {
  const match = pattern.exec(await readFile(resolve(REPO_ROOT, path), "utf8"));
  if (!match?.[1]) throw new Error(`${path} has no block matching ${pattern}`);
  return match[1];
}
