import { inspect as inspectKubbi } from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import { formatInspect, unsafeFiles } from "../format.js";

export const inspect: Command = {
  name: "inspect",
  summary: "show what a claim URL holds, without claiming it",
  arity: { min: 1, max: 1 },
  options: COMMON_OPTIONS,
  help: `Usage: kubbi inspect URL [options]

Shows a kubbi's status, size, content type or files (name, type, size, role), metadata and remaining
claims. Free: it never counts as a claim and never burns anything. Needs no API key.
URL is a claim URL, or a bare claim token (sent to --base-url).

Files whose names tools load or run by themselves (dotfiles, Makefile, package.json, conftest.py, ...)
are marked, with a warning on stderr: "kubbi claim" refuses to write them without --allow-unsafe-names.

${COMMON_HELP}`,

  async run(context) {
    const target = context.positionals[0]!;
    const info = await inspectKubbi(target, context.consumerOptions(target));
    if (context.flag("json")) context.json(info);
    else context.write(formatInspect(info));
    const unsafe = unsafeFiles(info.files);
    if (unsafe.length > 0) {
      const names = unsafe.map((file) => JSON.stringify(file.name)).join(", ");
      context.warn(
        `warning: ${names} ${unsafe.length === 1 ? "is a name" : "are names"} that tools load or run by themselves; "kubbi claim" refuses to write ${unsafe.length === 1 ? "it" : "them"} without --allow-unsafe-names`,
      );
    }
  },
};
