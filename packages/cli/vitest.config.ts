import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every test drives the built dist against a real API on a throwaway Redis, started once here.
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
