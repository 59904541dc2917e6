import { createHash } from "node:crypto";
import { lstat } from "node:fs/promises";
import { claim as claimKubbi, inspect, isKubbiUsageError, type ClaimedKubbi, type ClaimedPackage } from "@kubbi.ai/sdk";
import { safeFilePath, writeClaimedPackage } from "@kubbi.ai/sdk/node";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode } from "../exit-codes.js";

export const claim: Command = {
  name: "claim",
  summary: "claim a kubbi: print it, or write its files",
  arity: { min: 1, max: 1 },
  options: { ...COMMON_OPTIONS, output: { type: "string", short: "o" }, force: { type: "boolean" } },
  help: `Usage: kubbi claim URL [-o DIR] [--force] [options]

Claims a kubbi. This counts as a claim: the last one allowed burns it for good.
A single payload is printed to stdout (text as is, JSON pretty-printed) unless -o is given.
A package's files are written into DIR (default: the current directory), and their paths printed.
Needs no API key. URL is a claim URL, or a bare claim token (sent to --base-url).

Before claiming, the file names are checked (free, with an inspect): a name that is not a plain
file name, or a file that already exists, stops the command before anything is claimed.

Options:
  -o, --output DIR   write the content into DIR (created if missing); a single payload is
                     written as payload.txt or payload.json
  --force            replace files that already exist in DIR

${COMMON_HELP}`,

  async run(context) {
    const target = context.positionals[0]!;
    const options = context.consumerOptions(target);
    const directory = context.string("output");
    const force = context.flag("force");

    // Inspecting is free: it shows what the claim will write, so a refusal costs the consumer nothing.
    const info = await inspect(target, options);
    if (info.type === "kubbi" && directory === undefined) return printPayload(context, (await claimKubbi(target, options)) as ClaimedKubbi);

    const plannedNames = info.type === "kubbi_package" ? (info.files ?? []).map((file) => file.name) : [payloadFileName(info.contentType)];
    const dir = directory ?? ".";
    await refuseUnsafeTargets(dir, plannedNames, force);

    const claimed = await claimKubbi(target, options);
    const written = await writeFiles(claimed.type === "kubbi_package" ? claimed : asPackage(claimed), dir, force);
    if (context.flag("json")) {
      const { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt } = claimed;
      context.json({ type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt, files: written });
    } else {
      context.write(written.map((file) => `${file.path}\n`).join(""));
    }
    if (claimed.burned) context.io.stderr.write("kubbi: this was the last claim allowed; the kubbi is burned now\n");
  },
};

function printPayload(context: CommandContext, claimed: ClaimedKubbi): void {
  if (context.flag("json")) return context.json(claimed);
  if (claimed.contentType === "application/json") return context.write(`${JSON.stringify(claimed.content, null, 2)}\n`);
  const text = String(claimed.content);
  // Byte-exact when piped; a final newline only for the terminal's sake.
  context.write(context.io.stdout.isTTY && !text.endsWith("\n") ? `${text}\n` : text);
}

function payloadFileName(contentType: string | null): string {
  return contentType === "application/json" ? "payload.json" : "payload.txt";
}

/** A single payload as a one-file package, so it is written by the same safe writer. */
function asPackage(claimed: ClaimedKubbi): ClaimedPackage {
  const text = claimed.contentType === "application/json" ? `${JSON.stringify(claimed.content, null, 2)}\n` : String(claimed.content);
  const bytes = new TextEncoder().encode(text);
  const file = {
    name: payloadFileName(claimed.contentType),
    contentType: claimed.contentType,
    sizeBytes: bytes.length,
    role: null,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    bytes,
    text,
  };
  return { ...claimed, type: "kubbi_package", fileCount: 1, totalSizeBytes: bytes.length, files: [file] };
}

/** Checks the names the claim will write before claiming: each must land inside DIR, and without --force not exist yet. */
async function refuseUnsafeTargets(directory: string, names: string[], force: boolean): Promise<void> {
  for (const name of names) {
    const path = safePath(directory, name);
    if (!force && (await exists(path))) throw new CliError(`${path} already exists; nothing was claimed (use --force to replace it)`, ExitCode.unsafeWrite);
  }
}

function safePath(directory: string, name: string): string {
  try {
    return safeFilePath(directory, name);
  } catch (error) {
    if (isKubbiUsageError(error)) throw new CliError(`${error.message}; nothing was claimed`, ExitCode.unsafeWrite);
    throw error;
  }
}

async function writeFiles(claimed: ClaimedPackage, directory: string, force: boolean) {
  try {
    const paths = await writeClaimedPackage(claimed, directory, { overwrite: force });
    return claimed.files.map((file, index) => ({ name: file.name, path: paths[index]!, contentType: file.contentType, sizeBytes: file.sizeBytes, role: file.role, sha256: file.sha256 }));
  } catch (error) {
    // The names were checked before claiming, so this is a manifest that changed or a file created meanwhile.
    if (isKubbiUsageError(error)) throw new CliError(`${error.message}. The kubbi was claimed but not written.`, ExitCode.unsafeWrite);
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
