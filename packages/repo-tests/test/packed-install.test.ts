/**
 * What the README promises before the packages are on npm: `pnpm pack:all` packs @kubbi.ai/sdk, cli
 * and mcp with their workspace versions resolved, and plain `npm` installs those tarballs into an empty
 * project, where the SDK quickstart, the `kubbi` command and the `kubbi-mcp` server all work against a
 * live API.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { MCP_STDIO_TOOL_NAMES } from "@kubbi/test-utils";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PUBLIC_PACKAGES, REPO_ROOT, pnpmCommand, readmeBlock, tarballName } from "./repo.js";

const run = promisify(execFile);
const { baseUrl, apiKey } = inject("kubbi");
/**
 * A clean environment, as a newcomer's shell has it (no npm_config_* from the pnpm running this test).
 * npm's default cache is shared between runs, so only a first run downloads the third-party
 * dependencies. `npm_config_yes=false` keeps `npx` from fetching a same-named package from the
 * registry if the local bin were missing.
 */
const npmEnv = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  npm_config_update_notifier: "false",
  npm_config_yes: "false",
};
const kubbiEnv = { ...npmEnv, KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };

let workDir: string;
let project: string;
let tarballs: string[];

beforeAll(async () => {
  const [pnpm, pnpmArgs] = pnpmCommand();
  await run(pnpm, [...pnpmArgs, "pack:all"], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" } });
  tarballs = await Promise.all(PUBLIC_PACKAGES.map(async (dir) => join(REPO_ROOT, "packed", await tarballName(dir))));

  workDir = await mkdtemp(join(tmpdir(), "kubbi-packed-"));
  project = join(workDir, "empty-project");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "empty-project", private: true, type: "module" }),
  );
  // The README's install line (all three at once, so the CLI and MCP server find the SDK's tarball).
  // --prefer-offline: third-party dependencies come from npm's cache when it has them.
  await run("sh", ["-c", 'npm install --no-audit --no-fund --prefer-offline "$0"/packed/*.tgz', REPO_ROOT], {
    cwd: project,
    env: npmEnv,
    timeout: 180_000,
  });
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("pnpm pack:all", () => {
  it("writes one tarball per public package into packed/, and nothing else, with workspace: versions resolved", async () => {
    expect((await readdir(join(REPO_ROOT, "packed"))).sort()).toEqual(tarballs.map((path) => basename(path)).sort());
    for (const tarball of tarballs) {
      const { stdout } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
      const manifest = JSON.parse(stdout) as { dependencies?: Record<string, string> };
      expect(
        Object.values(manifest.dependencies ?? {}).filter((range) => range.startsWith("workspace:")),
        basename(tarball),
      ).toEqual([]);
    }
  });
});

describe("the packed tarballs installed with plain npm into an empty project", () => {
  it("run the SDK README quickstart unchanged", async () => {
    await writeFile(
      join(project, "quickstart.mjs"),
      await readmeBlock("packages/sdk/README.md", /<!-- quickstart[^>]*-->\s*```ts\n([\s\S]*?)```/),
    );
    const { stdout } = await run(process.execPath, ["quickstart.mjs"], {
      cwd: project,
      env: kubbiEnv,
      timeout: 30_000,
    });
    const [claimUrl, inspected, content, ...rest] = stdout.trim().split("\n");
    expect(claimUrl).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    expect(claimUrl!.startsWith(`${baseUrl}/r/`)).toBe(true);
    expect(inspected).toBe("active 1");
    expect(content).toBe("sensitive data here");
    expect(rest).toEqual([]);
  });

  it("npx kubbi --help prints the command's usage", async () => {
    const { stdout } = await run("npx", ["kubbi", "--help"], { cwd: project, env: npmEnv });
    expect(stdout).toMatch(/^Usage: kubbi <command>/);
    expect(stdout).toContain("send");
    expect(stdout).toContain("claim");
  });

  it("kubbi send then kubbi claim hands text over, and a second claim finds it burned", async () => {
    const send = run("npx", ["kubbi", "send", "-"], { cwd: project, env: kubbiEnv });
    send.child.stdin!.end("handed over from the packed CLI\n");
    const claimUrl = (await send).stdout.trim();
    expect(claimUrl.startsWith(`${baseUrl}/r/`)).toBe(true);

    const claimed = await run("npx", ["kubbi", "claim", claimUrl], { cwd: project, env: kubbiEnv });
    expect(claimed.stdout).toBe("handed over from the packed CLI\n");
    await expect(run("npx", ["kubbi", "claim", claimUrl], { cwd: project, env: kubbiEnv })).rejects.toMatchObject({
      code: 4,
    });
  });

  it("npx kubbi-mcp serves the kubbi tools to a real MCP client over stdio, and kubbi_send works", async () => {
    await expectWorkingMcpServer("npx", ["kubbi-mcp"], project);
  });
});

describe("the built bins in the clone, as the README names them", () => {
  it("node packages/cli/bin/kubbi.js and node packages/mcp/bin/kubbi-mcp.js", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("node packages/cli/bin/kubbi.js --help");
    expect(readme).toContain("node packages/mcp/bin/kubbi-mcp.js");
    expect(readme).toContain("npx -y pnpm@10 pack:all");

    const { stdout } = await run(process.execPath, ["packages/cli/bin/kubbi.js", "--help"], {
      cwd: REPO_ROOT,
      env: npmEnv,
    });
    expect(stdout).toMatch(/^Usage: kubbi <command>/);
    await expectWorkingMcpServer(process.execPath, ["packages/mcp/bin/kubbi-mcp.js"], REPO_ROOT);
  });
});

/** Lists the server's tools with a real MCP client over stdio, and sends one kubbi through it. */
async function expectWorkingMcpServer(command: string, args: string[], cwd: string): Promise<void> {
  const transport = new StdioClientTransport({ command, args, cwd, env: kubbiEnv, stderr: "pipe" });
  const client = new Client({ name: "kubbi-repo-test", version: "0.0.0" });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(MCP_STDIO_TOOL_NAMES);
    const sent = await client.callTool({
      name: "kubbi_send",
      arguments: { content: "handed over through MCP", contentType: "text/plain" },
    });
    expect(sent.isError).toBeFalsy();
    expect(String((sent.structuredContent as { claimUrl: string }).claimUrl).startsWith(`${baseUrl}/r/`)).toBe(true);
  } finally {
    await client.close();
  }
}
