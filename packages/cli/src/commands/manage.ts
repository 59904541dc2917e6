/** The producer's commands on its own kubbis: list, get, events, delete. */
import { parsePositiveInt } from "@kubbi.ai/sdk";
import { COMMON_HELP, COMMON_OPTIONS, type Command } from "../command.js";
import { escapeText } from "../escape.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { formatDetail, formatEvents, formatList } from "../format.js";

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parsePositiveInt(value);
  if (parsed === undefined)
    throw new CliError(`--${name}: expected a positive integer; got ${JSON.stringify(value)}`, ExitCode.usage);
  return parsed;
}

export const list: Command = {
  name: "list",
  summary: "list your kubbis, newest first",
  arity: { min: 0, max: 0 },
  options: { ...COMMON_OPTIONS, page: { type: "string" }, limit: { type: "string" } },
  help: `Usage: kubbi list [--page N] [--limit N] [options]

Lists the kubbis sent with this API key, newest first (never their content).

Options:
  --page N     page, from 1 (default 1)
  --limit N    kubbis per page, 1 to 100 (default 20)

${COMMON_HELP}`,

  async run(context) {
    const page = await context.producer().list({
      page: positiveInt("page", context.string("page"), 1),
      limit: positiveInt("limit", context.string("limit"), 20),
    });
    if (context.flag("json")) return context.json(page);
    context.write(formatList(page.kubbis));
    const { page: number, totalPages, total } = page.pagination;
    if (totalPages > 1) context.warn(`page ${number} of ${totalPages} (${total} kubbis); see --page`);
  },
};

export const get: Command = {
  name: "get",
  summary: "show one of your kubbis by id",
  arity: { min: 1, max: 1 },
  options: COMMON_OPTIONS,
  help: `Usage: kubbi get ID [options]

Shows one of your kubbis: status, claims so far, the last claim (when, from which address, with which
user agent), whether it expired unclaimed, inspects, expiry, metadata, files.
Works for about 7 days after a kubbi is gone. Never shows the content.

${COMMON_HELP}`,

  async run(context) {
    const kubbi = await context.producer().get(context.positionals[0]!);
    if (context.flag("json")) context.json(kubbi);
    else context.write(formatDetail(kubbi));
  },
};

export const events: Command = {
  name: "events",
  summary: "show what happened to one of your kubbis",
  arity: { min: 1, max: 1 },
  options: COMMON_OPTIONS,
  help: `Usage: kubbi events ID [options]

Shows one of your kubbi's events, oldest first: created, each claim (with the retrievals after it, and the
consumer's address and user agent), burned, expired, deleted, and claims that failed and were rolled back.
Never shows the content.
With --json: the events as the SDK returns them.

${COMMON_HELP}`,

  async run(context) {
    const list = await context.producer().events(context.positionals[0]!);
    if (context.flag("json")) context.json(list);
    else context.write(formatEvents(list));
  },
};

export const remove: Command = {
  name: "delete",
  summary: "delete one of your kubbis now",
  arity: { min: 1, max: 1 },
  options: COMMON_OPTIONS,
  help: `Usage: kubbi delete ID [options]

Deletes one of your kubbis: its content is wiped at once and its claim URL stops working.
A kubbi that is already burned, expired or deleted is an error (exit 1, code conflict).

${COMMON_HELP}`,

  async run(context) {
    const deleted = await context.producer().delete(context.positionals[0]!);
    if (context.flag("json")) context.json(deleted);
    else context.write(`deleted ${escapeText(deleted.id)}\n`);
  },
};
