/**
 * `npm pack` of the SDK installs into an empty project, and the README's quickstart runs there
 * unchanged against the live API (and type-checks). The code comes from README.md itself, so the
 * README cannot drift from what works.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PACKAGE_DIR, requireBuild } from "../package/dist.js";

const run = promisify(execFile);
const { baseUrl, apiKey } = inject("kubbi");
const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: "false" };

let workDir: string;
let project: string;
let quickstart: string;
let packedFiles: string[];

/** The code block that follows the `<!-- quickstart` marker in README.md. */
async function readmeQuickstart(): Promise<string> {
  const readme = await readFile(resolve(PACKAGE_DIR, "README.md"), "utf8");
  const match = /<!-- quickstart[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error("README.md has no ```ts block after a <!-- quickstart --> marker");
  return match[1]!;
}

beforeAll(async () => {
  requireBuild();
  workDir = await mkdtemp(join(tmpdir(), "kubbi-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", workDir], { cwd: PACKAGE_DIR, env });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((file) => file.path).sort();

  project = join(workDir, "empty-project");
  await run("mkdir", [project]);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "empty-project", private: true, type: "module" }),
  );
  // Zero dependencies, so nothing needs the network.
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(workDir, packed!.filename)], {
    cwd: project,
    env,
  });
  quickstart = await readmeQuickstart();
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("holds the build, the README and the manifest, and nothing else", () => {
    expect(packedFiles.every((path) => path.startsWith("dist/") || ["README.md", "package.json"].includes(path))).toBe(
      true,
    );
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "README.md",
        "package.json",
        "dist/index.js",
        "dist/index.cjs",
        "dist/index.d.ts",
        "dist/index.d.cts",
        "dist/node.js",
      ]),
    );
  });

  it("runs the README quickstart unchanged against a local API", async () => {
    await writeFile(join(project, "quickstart.mjs"), quickstart);
    const { stdout } = await run(process.execPath, ["quickstart.mjs"], {
      cwd: project,
      env: { ...env, KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl },
      timeout: 30_000,
    });
    const [claimUrl, inspected, content, ...rest] = stdout.trim().split("\n");
    expect(claimUrl).toMatch(new RegExp(`^${baseUrl.replace(/[.]/g, "\\.")}/r/[A-Za-z0-9_-]{43}$`));
    expect(inspected).toBe("active 1");
    expect(content).toBe("sensitive data here");
    expect(rest).toEqual([]);
  });

  it("the quickstart type-checks against the published types, with no @types/node", async () => {
    await writeFile(join(project, "quickstart.ts"), quickstart);
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ["quickstart.ts"],
      }),
    );
    const tsc = resolve(PACKAGE_DIR, "node_modules/.bin/tsc");
    const result = await run(tsc, ["-p", "tsconfig.json"], { cwd: project, env }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe("");
  });
});
