/** Runs `main` in this process, for tests where a subprocess adds nothing: captured streams, a chosen environment. */
import { PassThrough, Writable } from "node:stream";
import { main } from "../src/cli.js";

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  /** What stdin holds (none: an empty, closed stdin). */
  input?: string | Buffer;
  /** Make stdout a terminal (stderr stays a pipe, so no progress bar is drawn). */
  stdoutIsTTY?: boolean;
}

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: Buffer[] = [];
  // Collected synchronously in write, so everything is there the moment main resolves.
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export async function runMain(
  args: string[],
  options: InProcessOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture(options.stdoutIsTTY ?? false);
  const stderr = capture(false);
  const stdin = new PassThrough();
  stdin.end(options.input ?? "");
  const code = await main(args, { stdin, stdout: stdout.stream, stderr: stderr.stream, env: options.env ?? {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
