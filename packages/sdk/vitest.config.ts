import { LIVE_STACK_SETUP } from "@kubbi/test-utils";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        // Checks of the built package: run after `build` (turbo orders it so).
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // Against the real API on a throwaway Redis, started once by the global setup.
        test: {
          name: "live",
          include: ["test/live/**/*.test.ts"],
          globalSetup: [LIVE_STACK_SETUP],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
