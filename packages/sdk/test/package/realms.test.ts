import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { DIST, requireBuild } from "./dist.js";

type Sdk = typeof import("../../src/index.js");
let esm: Sdk;
let cjs: Sdk;
beforeAll(async () => {
  requireBuild();
  esm = (await import(pathToFileURL(resolve(DIST, "index.js")).href)) as Sdk;
  cjs = createRequire(import.meta.url)(resolve(DIST, "index.cjs")) as Sdk;
});

const init = { status: 410, code: "expired", message: "gone" };

describe("errors across copies and realms", () => {
  it("the ESM and CJS builds are separate copies whose guards and instanceof agree", () => {
    expect(esm.KubbiGoneError).not.toBe(cjs.KubbiGoneError);
    const fromCjs = new cjs.KubbiGoneError(init);
    expect(esm.isKubbiGoneError(fromCjs)).toBe(true);
    expect(esm.isKubbiApiError(fromCjs)).toBe(true);
    expect(fromCjs instanceof esm.KubbiGoneError).toBe(true);
    expect(fromCjs instanceof esm.KubbiError).toBe(true);
    expect(fromCjs instanceof esm.KubbiNotFoundError).toBe(false);
    expect(esm.isKubbiTimeoutError(new cjs.KubbiNetworkError("x"))).toBe(false);
    expect(new cjs.KubbiTimeoutError("x") instanceof esm.KubbiNetworkError).toBe(true);
  });

  it("an error made in another JavaScript realm is still recognised", async () => {
    const code = await readFile(resolve(DIST, "index.cjs"), "utf8");
    const exports = {} as Sdk;
    const sandbox = { module: { exports }, exports, URL, TextEncoder, TextDecoder };
    runInNewContext(`${code}\nglobalThis.made = new module.exports.KubbiGoneError(${JSON.stringify(init)});`, sandbox);
    const foreign = (sandbox as unknown as { made: unknown }).made;
    expect(foreign instanceof Error).toBe(false); // a different realm's Error
    expect(esm.isKubbiGoneError(foreign)).toBe(true);
    expect(foreign instanceof esm.KubbiGoneError).toBe(true);
    expect((foreign as { reason: string }).reason).toBe("expired");
  });
});
