import { execFile, spawn } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { API_ENTRY, makeApiKey, makeServerKeys, startApi, startRedis, waitForOutput } from "@kubbi/test-utils";
import { describe, expect, it, vi } from "vitest";
import { producer } from "./support/http.js";

const run = promisify(execFile);
const KUBBI_ADMIN = resolve(import.meta.dirname, "../dist/admin/kubbi-admin.js");

/** Starts the built API with exactly this environment and waits for it to exit. */
async function exitOf(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [API_ENTRY, ...args], {
    env: { PATH: process.env.PATH!, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  return { code, stdout, stderr };
}

/** The "  - ..." lines of a refusal: one per problem. */
const problemLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("  - "));

describe("start-up modes", () => {
  it("production mode refuses to start without KUBBI_KEYS", async () => {
    const { code, stdout, stderr } = await exitOf({
      KUBBI_MODE: "production",
      REDIS_URL: "redis://127.0.0.1:1",
      KUBBI_PUBLIC_URL: "https://handoff.example.com",
    });
    expect(code).toBe(1);
    expect(problemLines(stderr)).toEqual([expect.stringContaining("KUBBI_KEYS is required in production mode")]);
    expect(stderr).toContain("KUBBI_KEYS=k1:$(openssl rand -base64 32)");
    expect(stdout).not.toContain("listening");
  });

  it.each([
    ["a port that is not a number", { PORT: "not-a-port" }, "PORT"],
    [
      "a public URL with a path",
      { KUBBI_PUBLIC_URL: "https://example.com/kubbi" },
      "KUBBI_PUBLIC_URL: must be an http(s) origin with no path",
    ],
    ["a public URL that is not http(s)", { KUBBI_PUBLIC_URL: "ftp://example.com" }, "KUBBI_PUBLIC_URL"],
    [
      "a minimum TTL above the maximum",
      { KUBBI_MIN_TTL_SECONDS: "100", KUBBI_MAX_TTL_SECONDS: "50" },
      "KUBBI_MIN_TTL_SECONDS exceeds KUBBI_MAX_TTL_SECONDS",
    ],
    [
      "an allow-memory-store flag that is not true or false",
      { KUBBI_ALLOW_MEMORY_STORE: "yes" },
      "KUBBI_ALLOW_MEMORY_STORE",
    ],
  ])("refuses %s with a clear message", async (_name, env, message) => {
    const { code, stderr } = await exitOf({ KUBBI_KEYS: makeServerKeys(), ...env });
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });

  it("development mode generates a throwaway key, logs readable lines, and prints export lines with a working API key", async () => {
    const child = spawn(process.execPath, [API_ENTRY, "--dev"], {
      env: { PATH: process.env.PATH!, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stdout = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      const [, baseUrl, apiKey] = await waitForOutput(
        child,
        /export KUBBI_BASE_URL=(\S+)\n\s*export KUBBI_API_KEY=(kb_[A-Za-z0-9_-]+)\n/,
        "dev API",
      );
      await vi.waitFor(() => expect(stdout).toMatch(/INFO  listening on http:\/\/127\.0\.0\.1:\d+/), {
        timeout: 10_000,
      });
      expect(stdout).toMatch(/WARN  development mode: generated a throwaway encryption key/);
      expect(stdout).toMatch(/WARN  no REDIS_URL: using the in-process store/);
      expect(stdout.split("\n").filter((line) => line.startsWith("{"))).toEqual([]);
      expect(baseUrl).toMatch(/^http:\/\/localhost:\d+$/);
      const created = await producer(baseUrl!, apiKey!).create({
        content: "dev",
        content_type: "text/plain",
        ttl_seconds: 60,
      });
      expect(created.status).toBe(201);
      expect(created.body.claim_url.startsWith(`${baseUrl}/r/`)).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("production refuses a setup that cannot work, and says what to set", () => {
  const ready = {
    KUBBI_MODE: "production",
    KUBBI_KEYS: makeServerKeys(),
    KUBBI_PUBLIC_URL: "https://handoff.example.com",
    KUBBI_API_KEYS: makeApiKey(),
  };

  it.each([
    ["the in-process store, unless allowed", { ...ready }, ["REDIS_URL is not set", "KUBBI_ALLOW_MEMORY_STORE=true"]],
    [
      "no KUBBI_PUBLIC_URL",
      { ...ready, REDIS_URL: "redis://127.0.0.1:1", KUBBI_PUBLIC_URL: "" },
      ["KUBBI_PUBLIC_URL is not set", "KUBBI_PUBLIC_URL=https://"],
    ],
    [
      "no way for a producer to authenticate (no KUBBI_API_KEYS, no Redis)",
      { ...ready, KUBBI_ALLOW_MEMORY_STORE: "true", KUBBI_API_KEYS: "" },
      ["no producer could authenticate", "KUBBI_API_KEYS=kb_"],
    ],
  ])("%s", async (_name, env, says) => {
    const { code, stdout, stderr } = await exitOf(
      Object.fromEntries(Object.entries(env).filter(([, value]) => value !== "")),
    );
    expect(code).toBe(1);
    const problems = problemLines(stderr);
    expect(problems).toHaveLength(1);
    for (const text of says) expect(problems[0]).toContain(text);
    expect(stderr).toContain("production mode cannot start");
    expect(stdout).not.toContain("listening");
  });

  it("names every problem at once", async () => {
    const { code, stderr } = await exitOf({ KUBBI_MODE: "production" });
    expect(code).toBe(1);
    expect(problemLines(stderr).map((line) => line.slice(4, 30))).toEqual([
      "KUBBI_KEYS is required in ",
      "REDIS_URL is not set: the ",
      "KUBBI_PUBLIC_URL is not se",
      "no producer could authenti",
    ]);
  });

  it("runs on the in-process store when KUBBI_ALLOW_MEMORY_STORE=true, with KUBBI_API_KEYS, logging JSON", async () => {
    const api = await startApi();
    try {
      expect(
        (await producer(api.baseUrl, api.apiKey).create({ content: "x", content_type: "text/plain", ttl_seconds: 60 }))
          .status,
      ).toBe(201);
      const lines = api.output().trim().split("\n");
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain(
        "no REDIS_URL: using the in-process store (data lives in this process only and is lost on restart)",
      );
    } finally {
      await api.stop();
    }
  });

  it("with Redis and no KUBBI_API_KEYS it starts, warns that there is no key yet, and a key made later with the admin command works at once", async () => {
    const redis = await startRedis();
    try {
      const api = await startApi({ redisUrl: redis.url, env: { KUBBI_API_KEYS: "" } });
      try {
        expect(api.output()).toContain(
          '"msg":"no producer API key yet: create one with the admin command (see the README); it works at once, without a restart"',
        );
        const created = await run(process.execPath, [KUBBI_ADMIN, "keys", "create", "--name", "after-start"], {
          env: { PATH: process.env.PATH!, REDIS_URL: redis.url },
        });
        const apiKey = created.stdout.trim();
        expect(
          (await producer(api.baseUrl, apiKey).create({ content: "x", content_type: "text/plain", ttl_seconds: 60 }))
            .status,
        ).toBe(201);
      } finally {
        await api.stop();
      }
      // Once a key exists in Redis, the next start has nothing to warn about.
      const again = await startApi({ redisUrl: redis.url, env: { KUBBI_API_KEYS: "" } });
      await again.stop();
      expect(again.output()).toContain('"msg":"listening on');
      expect(again.output()).not.toContain("no producer API key yet");
    } finally {
      await redis.stop();
    }
  });
});
