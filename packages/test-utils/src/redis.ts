import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export interface RedisServer {
  url: string;
  port: number;
  /** Its data directory (the append-only file lives here). */
  dir: string;
  /** Stops it (SIGTERM, or SIGKILL for a crash) and keeps its data directory. */
  halt(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
  child: ChildProcess;
}

const CANDIDATE_BINARIES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

function redisBinary(): string {
  const fromEnv = process.env.REDIS_SERVER_BIN;
  if (fromEnv) return fromEnv;
  return CANDIDATE_BINARIES.find((path) => existsSync(path)) ?? "redis-server";
}

export interface StartRedisOptions {
  /** Reuse a port (a restart after a crash). */
  port?: number;
  /** Reuse a data directory (a restart finds its append-only file there). */
  dir?: string;
  /** Extra redis-server arguments, e.g. ["--cluster-enabled", "yes"]. */
  args?: string[];
}

/**
 * Starts a throwaway redis-server on a free loopback port, with the append-only file on (appendfsync
 * everysec, as production runs) in a temporary directory. Tests of server behaviour run against this,
 * never against a shared instance.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kubbi-redis-"));
  const child = spawn(
    redisBinary(),
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--protected-mode",
      "yes",
      ...(options.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await waitForOutput(child, /Ready to accept connections/, `redis-server on port ${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    child,
    halt: (signal) => stopChild(child, signal),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = seen.match(pattern);
      if (match) {
        cleanup();
        resolve(match);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what} exited with code ${code} before it was ready:\n${seen.slice(-4000)}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`${what} could not start: ${error.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} was not ready after ${timeoutMs} ms:\n${seen.slice(-4000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      child.off("error", onError);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill(signal);
  });
}
