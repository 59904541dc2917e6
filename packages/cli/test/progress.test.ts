/** The progress bar: drawn on a terminal, never when output is piped. */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROGRESS_THRESHOLD_BYTES, renderProgress } from "../src/progress.js";
import { BIN, kubbi, run, tempDir } from "./run.js";

const { baseUrl, apiKey } = inject("kubbi");
const env = { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };

let work: Awaited<ReturnType<typeof tempDir>>;
let big: string;
let bytes: Buffer;
beforeAll(async () => {
  work = await tempDir();
  big = join(work.dir, "big.bin");
  bytes = randomBytes(2 * PROGRESS_THRESHOLD_BYTES);
  await writeFile(big, bytes);
});
afterAll(() => work.cleanup());
// Buffer.equals: a deep toEqual over megabytes is slow.
const sameBytes = (written: Buffer) => written.equals(bytes);

/** Runs kubbi under `script`, so its stdout and stderr are a pseudo-terminal. */
function onTerminal(args: string[]) {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(" ");
  return run("script", ["-qfec", quoted, "/dev/null"], { env });
}

describe("when piped", () => {
  it("draws no bar for a large send or claim", async () => {
    const sent = await kubbi(["send", big], { env });
    expect(sent).toMatchObject({ code: 0, stderr: "" });
    const claimed = await kubbi(["claim", sent.stdout.trim(), "-o", join(work.dir, "piped")]);
    expect(claimed.code).toBe(0);
    expect(claimed.stderr).not.toMatch(/receiving|\r|%/);
    expect(sameBytes(await readFile(join(work.dir, "piped", "big.bin")))).toBe(true);
  });
});

describe("on a terminal", () => {
  it("draws a bar up to 100% for a large send and a large claim", async () => {
    const sent = await onTerminal(["send", big]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/\rsending\s+\[#+\] 100%/);
    const url = /(http:\/\/\S+\/r\/[A-Za-z0-9_-]{43})/.exec(sent.stdout)?.[1];
    expect(url).toBeDefined();

    const claimed = await onTerminal(["claim", url!, "-o", join(work.dir, "tty")]);
    expect(claimed.code).toBe(0);
    expect(claimed.stdout).toMatch(/\rreceiving\s+\[#+\] 100%/);
    expect(sameBytes(await readFile(join(work.dir, "tty", "big.bin")))).toBe(true);
  });

  it("draws none for a small transfer, or with --no-progress", async () => {
    const small = await onTerminal(["send", "--no-progress", big]);
    expect(small.code).toBe(0);
    expect(small.stdout).not.toMatch(/sending/);
    const tiny = join(work.dir, "tiny.txt");
    await writeFile(tiny, "tiny");
    expect((await onTerminal(["send", tiny])).stdout).not.toMatch(/sending/);
  });
});

describe("the renderer", () => {
  it("fills the bar in proportion and shows sizes", () => {
    expect(renderProgress("sending", 0, 4 * 1024 * 1024)).toBe(
      "sending   [------------------------]   0%  0 B / 4 MiB",
    );
    expect(renderProgress("sending", 1024 * 1024, 4 * 1024 * 1024)).toBe(
      "sending   [######------------------]  25%  1 MiB / 4 MiB",
    );
    expect(renderProgress("receiving", 5000, 5000)).toBe(
      "receiving [########################] 100%  4.9 KiB / 4.9 KiB",
    );
    // More bytes than announced never overflows the bar.
    expect(renderProgress("receiving", 7000, 5000)).toMatch(/\[#{24}\] 100%/);
  });
});
