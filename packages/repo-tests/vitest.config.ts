import { LIVE_STACK_SETUP } from "@kubbi/test-utils";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One file at a time: packing and `pnpm start` both run turbo builds in this repository.
    maxWorkers: 1,
    projects: [
      {
        // The repository and its root scripts as they are: no API started for these.
        test: {
          name: "repo",
          include: [
            "test/hygiene.test.ts",
            "test/security-doc.test.ts",
            "test/first-start.test.ts",
            "test/production-start.test.ts",
          ],
          testTimeout: 60_000,
          // `pnpm start` builds the API first (a cache hit after the test task's build).
          hookTimeout: 240_000,
        },
      },
      {
        // Against the built API on a throwaway Redis, started once by the global setup.
        test: {
          name: "packed",
          include: ["test/packed-install.test.ts"],
          globalSetup: [LIVE_STACK_SETUP],
          testTimeout: 60_000,
          // `pnpm pack:all` and `npm install` of the tarballs run once, in the beforeAll: bounded, not fast.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
