export { freePort } from "./ports.js";
export { startRedis, stopChild, waitForOutput, type RedisServer, type StartRedisOptions } from "./redis.js";
export { startRedisCluster, redisCli, type RedisCluster } from "./cluster.js";
export {
  startApi,
  startLiveStack,
  makeApiKey,
  makeServerKeys,
  API_ENTRY,
  type ApiProcess,
  type LiveStack,
  type StartApiOptions,
} from "./api.js";
export { LIVE_STACK_SETUP, liveStackTestOptions } from "./vitest.js";
export { MCP_STDIO_TOOL_NAMES, MCP_TOOL_NAMES } from "./mcp-tools.js";
