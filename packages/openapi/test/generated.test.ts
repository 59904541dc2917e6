import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const generator = fileURLToPath(new URL("../scripts/generate-types.mjs", import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), "kubbi-openapi-"));
afterAll(() => rm(workDir, { recursive: true, force: true }));

it.each(["schema.d.ts", "contract.ts"])(
  "src/generated/%s is exactly what `pnpm generate` makes from openapi.yaml now",
  async (file) => {
    await promisify(execFile)(process.execPath, [generator, workDir]);
    const checkedIn = new URL(`../src/generated/${file}`, import.meta.url);
    const [expected, actual] = await Promise.all([readFile(join(workDir, file)), readFile(checkedIn)]);
    expect(actual.toString("utf8").startsWith("/**\n * Generated from openapi.yaml by ")).toBe(true);
    // Byte-for-byte; on failure run `pnpm --filter @kubbi/openapi generate` and commit the result.
    expect(actual.equals(expected), `${file} is stale: run \`pnpm --filter @kubbi/openapi generate\``).toBe(true);
  },
  60_000,
);
