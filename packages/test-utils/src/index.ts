export { freePort } from "./ports.js";
export { startRedis, stopChild, waitForOutput, type RedisServer } from "./redis.js";
export { startApi, startLiveStack, makeApiKey, makeServerKeys, API_ENTRY, type ApiProcess, type LiveStack, type StartApiOptions } from "./api.js";
export { LIVE_STACK_SETUP, liveStackTestOptions } from "./vitest.js";
