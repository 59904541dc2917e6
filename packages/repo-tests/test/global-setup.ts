/** Starts a throwaway Redis and the built API once, and hands their address and keys to the tests. */
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
