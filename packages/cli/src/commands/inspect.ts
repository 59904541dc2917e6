import { inspect as inspectKubbi } from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import { formatInspect } from "../format.js";

export const inspect: Command = {
  name: "inspect",
  summary: "show what a claim URL holds, without claiming it",
  arity: { min: 1, max: 1 },
  options: COMMON_OPTIONS,
  help: `Usage: kubbi inspect URL [options]

Shows a kubbi's status, size, content type or file list, metadata and remaining claims.
Free: it never counts as a claim and never burns anything. Needs no API key.
URL is a claim URL, or a bare claim token (sent to --base-url).

${COMMON_HELP}`,

  async run(context) {
    const target = context.positionals[0]!;
    const info = await inspectKubbi(target, context.consumerOptions(target));
    if (context.flag("json")) context.json(info);
    else context.write(formatInspect(info));
  },
};
