import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { beforeAll, describe, expect, it } from "vitest";
import { DIST, PACKAGE_DIR, requireBuild } from "./dist.js";

const run = promisify(execFile);
beforeAll(requireBuild);

describe("the published package", () => {
  it("passes publint with no errors, warnings or suggestions", async () => {
    const { messages } = await publint({ pkgDir: PACKAGE_DIR, strict: true });
    expect(messages).toEqual([]);
  });

  it("passes @arethetypeswrong/cli for node16 (CJS and ESM) and bundlers", async () => {
    // node10 resolution cannot see subpath exports at all; every maintained toolchain uses exports maps.
    const attw = resolve(PACKAGE_DIR, "node_modules/.bin/attw");
    const { stdout } = await run(attw, ["--pack", ".", "--profile", "node16", "--format", "json"], {
      cwd: PACKAGE_DIR,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
    const report = JSON.parse(stdout) as {
      problems?: Record<string, Array<{ resolutionKind?: string }>>;
      analysis: { entrypoints: Record<string, unknown> };
    };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([
      ".",
      "./envelope",
      "./node",
      "./package.json",
      "./wire",
    ]);
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((problem) => problem.resolutionKind !== "node10");
    expect(problems).toEqual([]);
  });

  it("has zero runtime dependencies", async () => {
    const manifest = JSON.parse(await readFile(resolve(PACKAGE_DIR, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"])
      expect(manifest[field]).toBeUndefined();
    expect(manifest.sideEffects).toBe(false);
    // The built files import nothing but Node built-ins (and only the Node-only subpath does that).
    for (const name of await readdir(DIST)) {
      if (!/\.c?js$/.test(name)) continue;
      const code = await readFile(resolve(DIST, name), "utf8");
      const imported = [...code.matchAll(/(?:from\s+|require\()["']([^"']+)["']/g)].map((match) => match[1]);
      const external = name.startsWith("node.")
        ? imported.filter((id) => !builtinModules.includes(id!.replace(/^node:/, "")))
        : imported;
      expect(external, name).toEqual([]);
    }
  });

  it("publishes types that stand alone: the private @kubbi/openapi is inlined, not imported", async () => {
    for (const name of await readdir(DIST)) {
      if (!/\.d\.c?ts$/.test(name)) continue;
      const types = await readFile(resolve(DIST, name), "utf8");
      expect(types, name).not.toMatch(/from ['"]@kubbi\/openapi/);
      expect(types, name).not.toMatch(/import ['"]@kubbi\/openapi/);
    }
  });
});
