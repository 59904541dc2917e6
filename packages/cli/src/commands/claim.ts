import { claim as claimKubbi, inspect, isKubbiError, type ClaimedKubbi, type ClaimedPackage } from "@kubbi.ai/sdk";
import {
  checkClaimedFileNames,
  isKubbiWriteRefusedError,
  singlePayloadAsPackage,
  writeClaimedPackage,
  type WriteClaimedPackageOptions,
  type WriteRefusal,
} from "@kubbi.ai/sdk/node";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import type { CommandContext } from "../context.js";
import { escapeText } from "../escape.js";
import { CliError, ExitCode } from "../exit-codes.js";

export const claim: Command = {
  name: "claim",
  summary: "claim a kubbi: print it, or write its files",
  arity: { min: 1, max: 1 },
  options: {
    ...COMMON_OPTIONS,
    output: { type: "string", short: "o" },
    force: { type: "boolean" },
    "allow-unsafe-names": { type: "boolean" },
  },
  help: `Usage: kubbi claim URL [-o DIR] [--force] [--allow-unsafe-names] [options]

Claims a kubbi. This counts as a claim: the last one allowed burns it for good.
A single payload is printed to stdout (text as is, JSON pretty-printed) unless -o is given.
A package's files are written into DIR, or without -o into a new directory ./kubbi-<id>/ (never into
the current directory, and never into one that exists already), and their paths printed.
Needs no API key. URL is a claim URL, or a bare claim token (sent to --base-url).

Before claiming, the file names are checked (free, with an inspect): a name that is not a plain file
name, a name that tools load or run by themselves (dotfiles such as .npmrc or .envrc, Makefile,
package.json, conftest.py, ...: see the README), or a file that already exists, stops the command
before anything is claimed.

Options:
  -o, --output DIR        write the content into DIR (created if missing); a single payload is
                          written as payload.txt or payload.json
  --force                 replace files that already exist in DIR
  --allow-unsafe-names    write names that tools load or run by themselves, too

${COMMON_HELP}`,

  async run(context) {
    const target = context.positionals[0]!;
    const options = context.consumerOptions(target);
    const output = context.string("output");

    // Inspecting is free: it shows what the claim will write, so a refusal costs the consumer nothing.
    const info = await inspect(target, options);
    if (info.type === "kubbi" && output === undefined)
      return printPayload(context, (await claimKubbi(target, options)) as ClaimedKubbi);

    const names =
      info.type === "kubbi_package" ? (info.files ?? []).map((file) => file.name) : [payloadFileName(info.contentType)];
    const allowUnsafeNames = context.flag("allow-unsafe-names");
    // Without -o a package never lands in the current directory (a producer's .npmrc there runs on the next
    // `npm test`): it gets a directory of its own that nothing else is in.
    const directory = output ?? newDirectoryName(info.kubbiId);
    const write: WriteClaimedPackageOptions =
      output === undefined
        ? { newDirectory: true, allowUnsafeNames }
        : { overwrite: context.flag("force"), allowUnsafeNames };
    await checkClaimedFileNames(directory, names, write).catch((error: unknown) => {
      throw refusal(error, "; nothing was claimed");
    });

    const claimed = await claimKubbi(target, options);
    const written = await writeFiles(claimed.type === "kubbi_package" ? claimed : asPackage(claimed), directory, write);
    if (context.flag("json")) {
      const { type, kubbiId, burned, retrievalCount, remainingReads, metadata, createdAt, expiresAt } = claimed;
      context.json({
        type,
        kubbiId,
        burned,
        retrievalCount,
        remainingReads,
        metadata,
        createdAt,
        expiresAt,
        files: written,
      });
    } else {
      context.write(written.map((file) => `${escapeText(file.path)}\n`).join(""));
    }
    if (claimed.burned) context.warn("this was the last claim allowed; the kubbi is burned now");
  },
};

/** ./kubbi-<the first 8 letters and digits of the kubbi id>: the id comes from the server, so nothing else of it is used. */
export function newDirectoryName(kubbiId: string): string {
  const short = String(kubbiId)
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8);
  if (short.length === 0)
    throw new CliError("the API sent no usable kubbi id to name a directory after; pass -o DIR", ExitCode.failure);
  return `kubbi-${short}`;
}

export function printPayload(context: CommandContext, claimed: ClaimedKubbi): void {
  if (context.flag("json")) return context.json(claimed);
  if (claimed.contentType === "application/json") return context.json(claimed.content);
  const text = String(claimed.content);
  // Byte-exact when piped; on a terminal escaped (a payload may carry escape sequences) and with a final newline.
  if (!context.io.stdout.isTTY) return context.writeRaw(text);
  context.write(text.endsWith("\n") ? text : `${text}\n`);
}

function payloadFileName(contentType: string | null): string {
  return contentType === "application/json" ? "payload.json" : "payload.txt";
}

/** A single payload as a one-file package, so it is written by the same safe writer. */
export function asPackage(claimed: ClaimedKubbi): ClaimedPackage {
  const text =
    claimed.contentType === "application/json"
      ? `${JSON.stringify(claimed.content, null, 2)}\n`
      : String(claimed.content);
  return singlePayloadAsPackage(claimed, payloadFileName(claimed.contentType), text);
}

/** What to do about each refusal, in the CLI's own flags. */
const HINTS: Record<WriteRefusal, string> = {
  invalid_name: "",
  duplicate_name: "",
  unsafe_name: ' (check it with "kubbi inspect"; --allow-unsafe-names writes it anyway)',
  file_exists: " (use --force to replace it)",
  directory_exists: " (remove it, or choose a directory with -o DIR)",
};

/** The SDK's refusal (or a claim whose bytes do not match their sha256) as exit 8, with the CLI's hint. */
export function refusal(error: unknown, outcome: string): unknown {
  if (isKubbiWriteRefusedError(error))
    return new CliError(`${error.message}${outcome}${HINTS[error.reason]}`, ExitCode.unsafeWrite);
  if (isKubbiError(error)) return new CliError(`${error.message}${outcome}`, ExitCode.unsafeWrite);
  return error;
}

export async function writeFiles(claimed: ClaimedPackage, directory: string, options: WriteClaimedPackageOptions) {
  // The names were checked before claiming, so a refusal here is a manifest that changed, a file created
  // meanwhile, or bytes that do not match the sha256 the API sent.
  const paths = await writeClaimedPackage(claimed, directory, options).catch((error: unknown) => {
    throw refusal(error, ". The kubbi was claimed but not written");
  });
  return claimed.files.map((file, index) => ({
    name: file.name,
    path: paths[index]!,
    contentType: file.contentType,
    sizeBytes: file.sizeBytes,
    role: file.role,
    sha256: file.sha256,
  }));
}
