/**
 * The README's production lines, run as written (against a throwaway Redis instead of the one on
 * 6379): the server starts in production mode, logs JSON, and its process line carries no --dev.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { freePort, startRedis, waitForOutput, type RedisServer } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, pnpmCommand, readmeBlock } from "./repo.js";

let redis: RedisServer;
let child: ChildProcess;
let commands: string[];
let output = "";

beforeAll(async () => {
  const block = await readmeBlock("README.md", /## Running it for real\n+```bash\n([\s\S]*?)```/);
  const lines = block.split("\n");
  // From the first export to the start command; the install/build line before it has been run by the
  // test task's build, and the admin commands after it are tested with the admin command.
  commands = lines.slice(
    lines.findIndex((line) => line.startsWith("export ")),
    lines.findIndex((line) => line.includes("start:prod")) + 1,
  );
  redis = await startRedis();
  const [pnpm, pnpmArgs] = pnpmCommand();
  const script = commands
    .join("\n")
    .replace("redis://127.0.0.1:6379", redis.url)
    .replace(/npx -y pnpm@10 start:prod/, `"${pnpm}" ${pnpmArgs.map((arg) => `"${arg}"`).join(" ")} start:prod`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("KUBBI_") && name !== "REDIS_URL"),
  );
  child = spawn("sh", ["-c", `${script} 2>&1`], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(await freePort()), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  await waitForOutput(child, /"msg":"listening on [^"]+"/, "pnpm start:prod", 180_000);
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((done) => child.once("exit", done));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  }
  await redis?.stop();
});

describe("the README's production command", () => {
  it("is pnpm start:prod, whose script runs node apps/api/dist/main.js without --dev", async () => {
    expect(commands.at(-1)).toMatch(/^npx -y pnpm@10 start:prod\b/);
    const { scripts } = JSON.parse(await readFile(resolve(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts["start:prod"]).toMatch(/node apps\/api\/dist\/main\.js$/);
    expect(commands.map((line) => line.replace(/#.*$/, "")).join("\n")).not.toContain("--dev");
  });

  it("starts production mode on Redis, logging JSON, and the server's process line has no --dev", async () => {
    const listening = output.split("\n").find((line) => line.includes('"msg":"listening on'))!;
    expect(JSON.parse(listening)).toMatchObject({
      mode: "production",
      store: "redis",
      public_url: "https://handoff.example.com",
    });
    const servers = (await processLinesInGroup(child.pid!)).filter(
      (line) => basename(line[0] ?? "") === "node" && line.some((arg) => arg.endsWith("main.js")),
    );
    expect(servers.map((line) => line.slice(1))).toEqual([["apps/api/dist/main.js"]]);
    // Every line the server wrote is JSON (pnpm's and turbo's own lines come before the first one).
    const serverLines = output.slice(output.indexOf('{"level"')).trim().split("\n");
    for (const line of serverLines) expect(() => JSON.parse(line), line).not.toThrow();
  });
});

/** The command lines of the processes in a process group (Linux /proc). */
async function processLinesInGroup(groupId: number): Promise<string[][]> {
  const lines: string[][] = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    if (pgrp === groupId)
      lines.push((await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").filter(Boolean));
  }
  return lines;
}
