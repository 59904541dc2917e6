// @ts-check
/**
 * Runs one bout of load in a child process and measures, over exactly the loaded interval, the CPU
 * of the server under test, of Redis, of the load generator, and of everything else on the host.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { hostCpuSeconds, processCpuSeconds } from "../proc.mjs";

const LOADGEN = fileURLToPath(new URL("./loadgen.mjs", import.meta.url));

/**
 * @param {object} spec what loadgen.mjs takes: url, connections, workload, durationSeconds or amount
 * @param {{ serverPid: number, redisCpuSeconds: () => Promise<number> }} watch
 */
export async function runLoad(spec, watch) {
  const child = spawn(process.execPath, [LOADGEN], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify(spec));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let before;
  let result;
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line);
    if (message.event === "start") before = await sample(watch);
    if (message.event === "result") result = message;
  }
  const code = await exited;
  if (!result || !before) throw new Error(`the load generator exited with code ${code} and no result`);
  const after = await sample(watch);
  const wall = result.wallSeconds;
  const serverCpu = after.server - before.server;
  const redisCpu = after.redis - before.redis;
  const hostBusy = after.host.busy - before.host.busy;
  const orchestratorCpu = after.orchestrator - before.orchestrator;
  return {
    ...result,
    requestsPerSecond: result.requests / result.durationSeconds,
    cpuCores: {
      server: serverCpu / wall,
      redis: redisCpu / wall,
      loadGenerator: result.cpuSeconds / wall,
      orchestrator: orchestratorCpu / wall,
      // What no process of this benchmark used: other load on the machine.
      other: Math.max(0, hostBusy - serverCpu - redisCpu - result.cpuSeconds - orchestratorCpu) / wall,
    },
  };
}

async function sample(watch) {
  const own = process.cpuUsage();
  return {
    server: processCpuSeconds(watch.serverPid),
    redis: await watch.redisCpuSeconds(),
    host: hostCpuSeconds(),
    orchestrator: (own.user + own.system) / 1e6,
  };
}
