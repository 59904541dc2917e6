import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const generator = fileURLToPath(new URL("../scripts/generate-types.mjs", import.meta.url));
const checkedIn = new URL("../src/generated/schema.d.ts", import.meta.url);
const workDir = await mkdtemp(join(tmpdir(), "kubbi-openapi-"));
afterAll(() => rm(workDir, { recursive: true, force: true }));

it("src/generated/schema.d.ts is exactly what `pnpm generate` makes from openapi.yaml now", async () => {
  const fresh = join(workDir, "schema.d.ts");
  await promisify(execFile)(process.execPath, [generator, fresh]);
  const [expected, actual] = await Promise.all([readFile(fresh), readFile(checkedIn)]);
  expect(actual.toString("utf8").startsWith("/**\n * Generated from openapi.yaml by openapi-typescript.")).toBe(true);
  // Byte-for-byte; on failure run `pnpm --filter @kubbi/openapi generate` and commit the result.
  expect(actual.equals(expected), "schema.d.ts is stale: run `pnpm --filter @kubbi/openapi generate`").toBe(true);
}, 60_000);
