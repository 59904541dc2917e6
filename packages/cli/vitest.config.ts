import { liveStackTestOptions } from "@kubbi/test-utils";
import { defineConfig } from "vitest/config";

// Every test drives the built dist against a real API on a throwaway Redis, started once for the run.
export default defineConfig({ test: liveStackTestOptions });
