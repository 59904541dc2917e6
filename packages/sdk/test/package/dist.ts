import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = resolve(PACKAGE_DIR, "dist");

/** These tests check the built package; turbo runs `build` before `test`. */
export function requireBuild(): void {
  if (!existsSync(resolve(DIST, "index.js"))) {
    throw new Error(`No build in ${DIST}: run \`pnpm --filter @kubbi.ai/sdk build\` (turbo does it before test)`);
  }
}
