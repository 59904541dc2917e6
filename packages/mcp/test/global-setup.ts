/** Starts a throwaway Redis and the built API once, and hands their address and keys to the tests. */
import { startApi, startRedis } from "@kubbi/test-utils";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    kubbi: { baseUrl: string; apiKey: string; secondApiKey: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  const api = await startApi({ redisUrl: redis.url }).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  project.provide("kubbi", { baseUrl: api.baseUrl, apiKey: api.apiKey, secondApiKey: api.secondApiKey });
  return async () => {
    await api.stop();
    await redis.stop();
  };
}
