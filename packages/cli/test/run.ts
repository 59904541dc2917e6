/** Runs the built `kubbi` as a subprocess, as a shell script would. */
import { spawn } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const BIN = resolve(import.meta.dirname, "../dist/bin.js");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Spawns `command` with a clean environment plus `env`, feeding `input` on stdin (none: stdin closed). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env = Object.fromEntries(
      Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    // A command that never reads stdin may exit before we finish writing it: that EPIPE is expected.
    child.stdin.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") reject(error);
    });
    child.stdin.end(options.input ?? "");
  });
}

export function kubbi(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], options);
}

/** A directory holding a `kubbi` command, for shell pipelines that call it by name. */
export async function commandDirectory(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "kubbi-bin-"));
  await symlink(BIN, join(dir, "kubbi"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "kubbi-cli-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
