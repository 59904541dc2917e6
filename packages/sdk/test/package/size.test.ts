import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { DIST, requireBuild } from "./dist.js";

/**
 * The budget stated in the README: the whole root entry, bundled, minified and gzipped (request links with
 * their Web Crypto envelope added ~3.3 KB; the event log readers, events and allEvents, ~0.4 KB;
 * verifyWebhook ~0.6 KB).
 */
const BUDGET_BYTES = 10 * 1024;

async function minGzipSize(source: string): Promise<{ gzip: number; code: string }> {
  const result = await build({
    stdin: { contents: source, resolveDir: DIST, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
  });
  const code = result.outputFiles[0]!.text;
  return { gzip: gzipSync(code, { level: 9 }).length, code };
}

beforeAll(requireBuild);

describe("size", () => {
  it(`the whole entry is within ${BUDGET_BYTES} bytes min+gzip`, async () => {
    const { gzip } = await minGzipSize(`export * from "./index.js";`);
    console.log(`@kubbi.ai/sdk: ${gzip} bytes min+gzip (budget ${BUDGET_BYTES})`);
    expect(gzip).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("is tree-shakable: importing only claim leaves the producer client out", async () => {
    const whole = await minGzipSize(`export * from "./index.js";`);
    const claimOnly = await minGzipSize(`export { claim } from "./index.js";`);
    expect(whole.code).toContain("idempotency-key");
    expect(claimOnly.code).not.toContain("idempotency-key");
    expect(claimOnly.gzip).toBeLessThan(whole.gzip);
  });
});
