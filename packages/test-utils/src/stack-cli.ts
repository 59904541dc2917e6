#!/usr/bin/env node
/**
 * Starts a real redis-server and the built API for test suites in other languages
 * (packages/python-compat-tests). Prints one JSON line {baseUrl, apiKey, redisUrl} on stdout,
 * then runs until stdin closes or it gets SIGTERM/SIGINT, and stops both.
 * Extra API environment can be passed as KEY=VALUE arguments.
 */
import { startApi } from "./api.js";
import { startRedis } from "./redis.js";

const extraEnv = Object.fromEntries(
  process.argv.slice(2).map((pair) => {
    const at = pair.indexOf("=");
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const externalRedis = process.env.REDIS_URL;
const redis = externalRedis ? undefined : await startRedis();
const api = await startApi({ redisUrl: externalRedis ?? redis!.url, env: extraEnv });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await api.stop();
  await redis?.stop();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.stdout.write(
  `${JSON.stringify({ baseUrl: api.baseUrl, apiKey: api.apiKey, redisUrl: externalRedis ?? redis!.url })}\n`,
);
