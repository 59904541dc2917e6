import {
  FILE_ROLES,
  type FileInput,
  type FileRole,
  type Metadata,
  type SendFilesResult,
  type SendResult,
} from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import { escapeText } from "../escape.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { isJsonType, isSinglePayloadType, readInputs, travelsAsText, type Input } from "../inputs.js";
import { parseMaxRetrievals, parseTtl } from "../ttl.js";

export const send: Command = {
  name: "send",
  summary: "send files or stdin behind a claim URL",
  arity: { min: 1, max: Infinity },
  options: {
    ...COMMON_OPTIONS,
    ttl: { type: "string" },
    "max-retrievals": { type: "string" },
    role: { type: "string" },
    metadata: { type: "string" },
    "content-type": { type: "string" },
    package: { type: "boolean" },
    name: { type: "string" },
  },
  help: `Usage: kubbi send FILE... [options]
       kubbi send - [options] < input

Sends one to five files, or stdin (-), and prints the claim URL.
One file (or stdin) of text becomes a single payload: application/json for a .json file, else
text/plain. Several files, binary data, a --content-type other than those two, or --package make
a package, which keeps each file's name and type (binary content is base64-encoded for you).

Options:
  --ttl DURATION          how long it stays claimable: seconds (3600) or 90s, 10m, 1h, 1d (default 1h)
  --max-retrievals N      claims allowed before it burns, or "unlimited" (default 1)
  --role ROLE             role of every file in a package: ${FILE_ROLES.join(", ")}
  --metadata JSON         a JSON object, visible to anyone who inspects the claim URL (at most 1 KB)
  --content-type TYPE     content type of every input (default: from the file name, else text/plain
                          for text and application/octet-stream for binary)
  --package               always send a package, even for one text file
  --name NAME             the file name stdin gets in a package (default "stdin")

${COMMON_HELP}

Examples:
  kubbi send secret.txt
  echo '{"token":"abc"}' | kubbi send - --content-type application/json --ttl 10m
  kubbi send deploy.md config.json logo.png --role attachment --max-retrievals 2 --json`,

  async run(context) {
    const role = context.string("role");
    if (role !== undefined && !FILE_ROLES.includes(role as FileRole)) {
      throw new CliError(
        `--role: expected one of ${FILE_ROLES.join(", ")}; got ${JSON.stringify(role)}`,
        ExitCode.usage,
      );
    }
    const common = {
      ttlSeconds: parseTtl(context.string("ttl") ?? "1h"),
      maxRetrievals: parseMaxRetrievals(context.string("max-retrievals") ?? "1"),
      ...(context.string("metadata") === undefined ? {} : { metadata: parseMetadata(context.string("metadata")!) }),
    };
    const client = context.producer();
    const inputs = await readInputs(context.positionals, context.io.stdin, {
      stdinName: context.string("name"),
      contentType: context.string("content-type"),
    });

    const single =
      inputs.length === 1 && !context.flag("package")
        ? asSinglePayload(inputs[0]!, context.string("content-type"))
        : null;
    const result: SendResult | SendFilesResult = single
      ? await client.send(
          single.contentType === "application/json"
            ? { ...common, contentType: "application/json", content: single.text }
            : { ...common, contentType: "text/plain", content: single.text },
        )
      : await client.sendFiles({
          ...common,
          files: inputs.map((input) => toFile(input, role as FileRole | undefined)),
        });

    if (context.flag("json")) context.json(result);
    else context.write(`${escapeText(result.claimUrl)}\n`);
  },
};

/**
 * One input of text goes as a single payload: JSON (by name) as application/json, any other text as
 * text/plain, the only two types a single payload takes. An explicit other --content-type, or binary
 * content, makes it a package instead, so the type and the bytes survive.
 */
function asSinglePayload(
  input: Input,
  explicitType: string | undefined,
): { text: string; contentType: "text/plain" | "application/json" } | null {
  if (input.text === null) return null;
  if (explicitType !== undefined)
    return isSinglePayloadType(explicitType) ? { text: input.text, contentType: explicitType } : null;
  return { text: input.text, contentType: isJsonType(input.contentType) ? "application/json" : "text/plain" };
}

function toFile(input: Input, role: FileRole | undefined): FileInput {
  return {
    name: input.name,
    content: travelsAsText(input) ? input.text! : input.bytes,
    contentType: input.contentType,
    ...(role ? { role } : {}),
  };
}

function parseMetadata(text: string): Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError("--metadata: not valid JSON", ExitCode.usage);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new CliError("--metadata: must be a JSON object", ExitCode.usage);
  return value as Metadata;
}
