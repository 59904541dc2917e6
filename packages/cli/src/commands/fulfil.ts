import { fulfil as deliver, inspectFillUrl, type FulfilParams } from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import { escapeText } from "../escape.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { readInputs } from "../inputs.js";

export const fulfil: Command = {
  name: "fulfil",
  summary: "send a secret or files to a fill link, encrypted for whoever asked",
  arity: { min: 2, max: Infinity },
  options: { ...COMMON_OPTIONS, name: { type: "string" }, "content-type": { type: "string" } },
  help: `Usage: kubbi fulfil FILL_URL FILE... [options]
       kubbi fulfil FILL_URL - [options] < input

Delivers to a request link (made with "kubbi request" or the SDK). The requester's public key is
checked against the link's #k= fingerprint, the content is encrypted here for that key alone, and only
the ciphertext is sent. A link takes one delivery. Needs no API key.
A request for text takes one input (stdin or a file) as its text; a request for files takes each input
as a file (stdin is named by --name, default "stdin").

Options:
  --name NAME             the file name stdin gets (default "stdin")
  --content-type TYPE     content type of every input (default: from the file name)

${COMMON_HELP}

Examples:
  printf %s "$DB_PASSWORD" | kubbi fulfil "$LINK" -
  kubbi fulfil "$LINK" contract.pdf notes.md`,

  async run(context) {
    const [fillUrl, ...paths] = context.positionals as [string, ...string[]];
    const info = await inspectFillUrl(fillUrl, { fetch: context.fetch });
    const inputs = await readInputs(paths, context.io.stdin, {
      stdinName: context.string("name"),
      contentType: context.string("content-type"),
    });
    let params: FulfilParams;
    if (info.wanted.kind === "content") {
      const only = inputs.length === 1 ? inputs[0]! : undefined;
      if (!only || only.text === null)
        throw new CliError(
          "this request asks for one text: give exactly one text input (a file, or - for stdin)",
          ExitCode.usage,
        );
      params = {
        content: only.text,
        contentType: only.contentType === "application/json" && isJson(only.text) ? "application/json" : "text/plain",
      };
    } else {
      params = {
        files: inputs.map((input) => ({ name: input.name, content: input.bytes, contentType: input.contentType })),
      };
    }
    const result = await deliver(fillUrl, params, { fetch: context.fetch });
    if (context.flag("json")) context.json(result);
    else context.write(`delivered ${result.sizeBytes} encrypted bytes for ${escapeText(info.requester)}\n`);
  },
};

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
