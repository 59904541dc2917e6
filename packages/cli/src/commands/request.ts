import { open, readFile } from "node:fs/promises";
import { KubbiClient, type RequestHandle } from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command, type OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { escapeText } from "../escape.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { parseMaxRetrievals, parseTtl } from "../ttl.js";
import { asPackage, newDirectoryName, printPayload, writeFiles } from "./claim.js";

/** Options of the commands that wait for a delivery and write it (request, receive). */
const RECEIVE_OPTIONS: OptionSpec = {
  output: { type: "string", short: "o" },
  "allow-unsafe-names": { type: "boolean" },
  "poll-ms": { type: "string" },
};

const RECEIVE_HELP = `  -o, --output DIR        write what arrives into DIR (created if missing); without it a text is
                          printed to stdout and files go into a new directory ./kubbi-<id>/
  --allow-unsafe-names    write names that tools load or run by themselves, too
  --poll-ms N             milliseconds between status checks while waiting (default 2000)`;

export const request: Command = {
  name: "request",
  summary: "ask someone for a secret or files through a fill link",
  arity: { min: 1, max: 1 },
  options: {
    ...COMMON_OPTIONS,
    ...RECEIVE_OPTIONS,
    ttl: { type: "string" },
    "kubbi-ttl": { type: "string" },
    "max-retrievals": { type: "string" },
    files: { type: "string" },
    "max-bytes": { type: "string" },
    "no-wait": { type: "boolean" },
    handle: { type: "string" },
  },
  help: `Usage: kubbi request DESCRIPTION [options]

Asks for a secret (or, with --files, files) and prints a fill link to give to whoever has it. They open
it in a browser (or run "kubbi fulfil LINK ..."); what they send is encrypted on their side for a key
made here, which never leaves this machine. The server cannot read it.

Without --no-wait: the link goes to stderr, the command waits, then writes what arrives like
"kubbi claim" does (text to stdout, files into a new directory, unsafe names refused).
With --no-wait: the link goes to stdout and the request's handle (its private key) to a file only you
can read; "kubbi receive HANDLE_FILE" collects the delivery later.

Options:
  --ttl DURATION          how long the link takes a delivery: seconds or 10m, 1h, 1d (default 1h)
  --kubbi-ttl DURATION    how long the delivery then waits for you (default 1h)
  --max-retrievals N      claims of the delivery allowed, or "unlimited" (default 1)
  --files N               ask for up to N files instead of one text
  --max-bytes N           the most bytes a (sealed) delivery may have (default: the key's plan)
  --no-wait               print the link, save the handle, and return
  --handle FILE           where --no-wait saves the handle (default ./kubbi-request-<id>.json)
${RECEIVE_HELP}

${COMMON_HELP}

Examples:
  kubbi request "the staging DB password" --ttl 1h
  kubbi request "the signed contract" --files 2 -o ./inbox
  kubbi request "the API token" --no-wait --handle token.handle && kubbi receive token.handle`,

  async run(context) {
    const files = context.string("files");
    const maxFiles = files === undefined ? undefined : positiveInteger("--files", files);
    const maxBytes = context.string("max-bytes");
    const client = context.producer();
    const { fillUrl, handle } = await client.request({
      description: context.positionals[0]!,
      requestTtlSeconds: parseTtl(context.string("ttl") ?? "1h"),
      ttlSeconds: parseTtl(context.string("kubbi-ttl") ?? "1h"),
      maxRetrievals: parseMaxRetrievals(context.string("max-retrievals") ?? "1"),
      ...(maxFiles === undefined ? {} : { kind: "files" as const, maxFiles }),
      ...(maxBytes === undefined ? {} : { maxBytes: positiveInteger("--max-bytes", maxBytes) }),
    });
    if (context.flag("no-wait")) {
      const path = context.string("handle") ?? `kubbi-request-${handle.id.slice(0, 8)}.json`;
      await saveHandle(path, handle);
      if (context.flag("json")) context.json({ fillUrl, requestId: handle.id, handleFile: path });
      else context.write(`${escapeText(fillUrl)}\n`);
      context.warn(`saved the request's private key to ${path}; collect the delivery with: kubbi receive ${path}`);
      return;
    }
    context.warn(`give this link to whoever should send it (it works once): ${fillUrl}`);
    await receiveInto(context, handle);
  },
};

export const receive: Command = {
  name: "receive",
  summary: "wait for a request's delivery and write it",
  arity: { min: 1, max: 1 },
  options: { ...COMMON_OPTIONS, ...RECEIVE_OPTIONS },
  help: `Usage: kubbi receive HANDLE_FILE [options]

Waits until the request saved by "kubbi request --no-wait" is fulfilled, claims it, decrypts it with
the handle's private key and writes it like "kubbi claim" does.

Options:
${RECEIVE_HELP}

${COMMON_HELP}`,

  async run(context) {
    const path = context.positionals[0]!;
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${path}: ${error.code ?? error.message}`, ExitCode.usage);
    });
    const apiKey = context.string("api-key") ?? context.io.env.KUBBI_API_KEY;
    if (!apiKey) throw new CliError("no API key: pass --api-key or set KUBBI_API_KEY", ExitCode.auth);
    await receiveInto(context, KubbiClient.resumeRequest(text, { apiKey, fetch: context.fetch }));
  },
};

function positiveInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new CliError(`${flag}: expected a positive integer; got ${JSON.stringify(value)}`, ExitCode.usage);
  return Number(value);
}

/** The handle holds the private key: created only if absent (never through a symlink), readable by its owner alone. */
async function saveHandle(path: string, handle: RequestHandle): Promise<void> {
  const file = await open(path, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(
      `cannot create ${path}: ${error.code === "EEXIST" ? "it exists already" : (error.code ?? error.message)}`,
      ExitCode.unsafeWrite,
    );
  });
  try {
    await file.writeFile(`${JSON.stringify(handle.toJSON())}\n`);
  } finally {
    await file.close();
  }
}

/** Waits, claims, decrypts, and writes with the same safe writer as `kubbi claim`. */
async function receiveInto(context: CommandContext, handle: RequestHandle): Promise<void> {
  const pollMs = context.string("poll-ms");
  await handle.wait({ pollIntervalMs: pollMs === undefined ? 2000 : positiveInteger("--poll-ms", pollMs) });
  const claimed = await handle.claim();
  const output = context.string("output");
  if (claimed.type === "kubbi" && output === undefined) return printPayload(context, claimed);
  // The names were sealed until now, so they are checked only here: a refused name leaves the delivery unwritten.
  const directory = output ?? newDirectoryName(claimed.kubbiId);
  const allowUnsafeNames = context.flag("allow-unsafe-names");
  const written = await writeFiles(
    claimed.type === "kubbi_package" ? claimed : asPackage(claimed),
    directory,
    output === undefined ? { newDirectory: true, allowUnsafeNames } : { allowUnsafeNames },
  );
  if (context.flag("json")) context.json({ requestId: handle.id, kubbiId: claimed.kubbiId, files: written });
  else context.write(written.map((file) => `${escapeText(file.path)}\n`).join(""));
}
