/** Starts a throwaway Redis and the built API once for the live tests, and hands their address to the tests. */
import { startLiveStack } from "@kubbi/test-utils";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    kubbi: { baseUrl: string; apiKey: string };
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return startLiveStack((stack) => project.provide("kubbi", stack));
}
