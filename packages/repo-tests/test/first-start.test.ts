/**
 * The README's first command, `pnpm start`, as a newcomer runs it: the terminal shows readable log
 * lines (no JSON) and, in one uninterrupted block, `export` lines that work when pasted into a shell.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, waitForOutput } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REPO_ROOT, pnpmCommand, readmeBlock } from "./repo.js";

const execFileAsync = promisify(execFile);
const CLI = resolve(REPO_ROOT, "packages/cli/dist/bin.js");
const LOG_LINE = /^\d\d:\d\d:\d\d (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/;

let child: ChildProcess;
let output = "";
const lines = () => output.split("\n");

beforeAll(async () => {
  const port = await freePort();
  // A newcomer's shell: none of the test run's KUBBI_* or REDIS_URL settings.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("KUBBI_") && name !== "REDIS_URL"),
  );
  const [pnpm, pnpmArgs] = pnpmCommand();
  // stdout and stderr into one pipe, in the order they were written, as a terminal shows them. Its own
  // process group, so the stop reaches the server under pnpm's shell.
  child = spawn("sh", ["-c", 'exec "$0" "$@" 2>&1', pnpm, ...pnpmArgs, "start"], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  await waitForOutput(child, /Then try: .*\n/, "pnpm start", 180_000);
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((done) => child.once("exit", done));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  }
});

describe("pnpm start (development mode)", () => {
  it("prints the export lines in one block, with no log line inside it", () => {
    const all = lines();
    const first = all.findIndex((line) => line.startsWith("kubbi is running in development mode"));
    const last = all.findIndex((line) => line.startsWith("Then try: "));
    expect(first).toBeGreaterThan(-1);
    expect(
      all.slice(first, last + 1).map((line) => line.replace(/kb_[A-Za-z0-9_-]+/, "kb_…").replace(/:\d+$/, ":PORT")),
    ).toEqual([
      "kubbi is running in development mode: its server key and this API key are throwaway, valid until this process stops.",
      "To use it from another terminal, paste:",
      "",
      "  export KUBBI_BASE_URL=http://localhost:PORT",
      "  export KUBBI_API_KEY=kb_…",
      "",
      "Then try: curl -s $KUBBI_BASE_URL/healthz",
    ]);
  });

  it("prints what the README shows", async () => {
    const shown = await readmeBlock(
      "README.md",
      /prints the two lines to paste into another terminal:\n\n```\n([\s\S]*?)```/,
    );
    const printed = lines().slice(lines().findIndex((line) => line.startsWith("kubbi is running in development mode")));
    const asInReadme = printed.map((line) =>
      line.replace(/kb_[A-Za-z0-9_-]+/, "kb_...").replace(/localhost:\d+$/, "localhost:3000"),
    );
    expect(asInReadme.slice(0, shown.trimEnd().split("\n").length)).toEqual(shown.trimEnd().split("\n"));
  });

  it("logs readable lines, not JSON", async () => {
    const health = await fetch(`${exported("KUBBI_BASE_URL")}/healthz`);
    expect(health.status).toBe(200);
    await vi.waitFor(() => expect(output).toMatch(/INFO  request .*route=\/healthz status=200/), { timeout: 10_000 });

    const logLines = lines().filter((line) => LOG_LINE.test(line));
    expect(logLines.some((line) => / INFO  listening on http:\/\/127\.0\.0\.1:\d+ /.test(line))).toBe(true);
    expect(lines().filter((line) => line.trimStart().startsWith("{"))).toEqual([]);
  });

  it("the export lines work pasted into a shell: the CLI sends to this server and claims back", async () => {
    const pasted = lines()
      .filter((line) => line.trimStart().startsWith("export KUBBI_"))
      .join("\n");
    const script = `${pasted}\nprintf 'first start' | node "${CLI}" send - | xargs node "${CLI}" claim`;
    const { stdout } = await execFileAsync("sh", ["-c", script], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    expect(stdout).toBe("first start");
  });
});

/** A value from the printed export lines. */
function exported(name: string): string {
  const match = new RegExp(`export ${name}=(\\S+)`).exec(output);
  if (!match) throw new Error(`pnpm start printed no export ${name}=...:\n${output}`);
  return match[1]!;
}
