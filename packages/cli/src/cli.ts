/** Parses the command line, runs one command, and turns every failure into a message and an exit code. */
import { parseArgs } from "node:util";
import packageJson from "../package.json" with { type: "json" };
import type { Command } from "./command.js";
import { claim } from "./commands/claim.js";
import { inspect } from "./commands/inspect.js";
import { events, get, list, remove } from "./commands/manage.js";
import { fulfil } from "./commands/fulfil.js";
import { receive, request } from "./commands/request.js";
import { send } from "./commands/send.js";
import { CommandContext, type Io, type OptionValues } from "./context.js";
import { escapeText } from "./escape.js";
import { CliError, ExitCode, describeError, exitCodeFor, type ExitCodeValue } from "./exit-codes.js";

const COMMANDS: Command[] = [send, inspect, claim, list, get, events, remove, request, receive, fulfil];

const HELP = `Usage: kubbi <command> [options]

Hand secrets, payloads and files over through one claim URL that expires and can burn after reading.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(9)} ${command.summary}`).join("\n")}

Run "kubbi <command> --help" for a command's options.

Configuration: --api-key / KUBBI_API_KEY (needed by send, list, get, events, delete,
               request, receive),
               --base-url / KUBBI_BASE_URL (default https://api.kubbi.ai).

Exit codes: 0 ok, 1 other error, 2 usage, 3 not found, 4 gone (burned, expired, deleted),
            5 authentication, 6 rejected by the API (invalid, too large, quota, rate limit),
            7 network, 8 refused to write a claimed file (exists, or unsafe name)`;

export async function main(argv: string[], io: Io): Promise<ExitCodeValue> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? COMMANDS.find((command) => command.name === rest[0]) : undefined;
    io.stdout.write(`${topic ? topic.help : HELP}\n`);
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${packageJson.version}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (!command)
    return fail(io, new CliError(`unknown command ${JSON.stringify(first)}; run "kubbi --help"`, ExitCode.usage));

  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseCommandArgs(rest, command);
  } catch (error) {
    return usageFailure(io, command, parseErrorMessage(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${command.help}\n`);
    return ExitCode.ok;
  }
  const { min, max } = command.arity;
  if (positionals.length < min || positionals.length > max)
    return usageFailure(io, command, "wrong number of arguments");

  try {
    await command.run(new CommandContext(io, values, positionals));
    return ExitCode.ok;
  } catch (error) {
    return fail(io, error);
  }
}

/**
 * A bare claim or fill token (43 base64url characters) that begins with "-" — minted by an older or another
 * server — is an argument, never an option: it is parsed in a stand-in's place, then put back.
 */
const DASHED_TOKEN = /^-[A-Za-z0-9_-]{42}$/;

function parseCommandArgs(args: string[], command: Command): { values: OptionValues; positionals: string[] } {
  const standIns = new Map<string, string>();
  const safeArgs = args.map((arg, index) => {
    if (!DASHED_TOKEN.test(arg)) return arg;
    const standIn = `\u0000${index}`;
    standIns.set(standIn, arg);
    return standIn;
  });
  const restore = <T>(value: T): T => (typeof value === "string" ? ((standIns.get(value) as T) ?? value) : value);
  const { values, positionals } = parseArgs({
    args: safeArgs,
    options: command.options,
    allowPositionals: true,
    strict: true,
  });
  for (const [name, value] of Object.entries(values))
    values[name] = Array.isArray(value) ? value.map(restore) : restore(value);
  return { values, positionals: positionals.map(restore) };
}

function fail(io: Io, error: unknown): ExitCodeValue {
  io.stderr.write(`${describeError(error)}\n`);
  return exitCodeFor(error);
}

/** A bad flag or argument count: one line saying what is wrong, then the command's usage lines. */
function usageFailure(io: Io, command: Command, problem: string): ExitCodeValue {
  const usage = command.help.split("\n\n")[0];
  io.stderr.write(
    `kubbi ${command.name}: ${escapeText(problem)}\n${usage}\nRun "kubbi ${command.name} --help" for every option.\n`,
  );
  return ExitCode.usage;
}

/** parseArgs's own messages explain its API ("place it at the end of the command after '--'"); ours name the flag. */
function parseErrorMessage(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  const option = /'(-[^' ]*)/.exec(text)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return text.includes("does not take an argument")
      ? `option ${option} takes no value`
      : `option ${option} needs a value`;
  return text.split(". ")[0]!;
}
