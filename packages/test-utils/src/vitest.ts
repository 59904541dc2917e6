/**
 * The one Vitest setup for suites that drive the built API: a global setup that starts a throwaway Redis and
 * the API once and provides their address and keys as `inject("kubbi")`, and the config around it.
 */
import { fileURLToPath } from "node:url";
import type {} from "vitest";
import { type LiveStack, startLiveStack } from "./api.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubbi: LiveStack;
  }
}

/** Vitest's global-setup context, as much of it as the setup uses. */
interface SetupProject {
  provide(key: "kubbi", value: LiveStack): void;
}

export default function setup(project: SetupProject): Promise<() => Promise<void>> {
  return startLiveStack((stack) => project.provide("kubbi", stack));
}

/** The path to give Vitest's `globalSetup`: this module, built. */
export const LIVE_STACK_SETUP = fileURLToPath(import.meta.url);

/** Test options for a suite whose every test runs against the live stack. */
export const liveStackTestOptions = {
  include: ["test/**/*.test.ts"],
  globalSetup: [LIVE_STACK_SETUP],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};
