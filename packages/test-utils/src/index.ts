export { freePort } from "./ports.js";
export { startRedis, stopChild, waitForOutput, type RedisServer } from "./redis.js";
export { startApi, makeApiKey, makeServerKeys, API_ENTRY, type ApiProcess, type StartApiOptions } from "./api.js";
