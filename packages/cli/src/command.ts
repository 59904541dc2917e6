import type { ParseArgsConfig } from "node:util";
import type { CommandContext } from "./context.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Command {
  name: string;
  /** One line for `kubbi --help`. */
  summary: string;
  /** The full text for `kubbi <command> --help`. */
  help: string;
  options: OptionSpec;
  /** How many positionals it takes. */
  arity: { min: number; max: number };
  run(context: CommandContext): Promise<void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  "api-key": { type: "string" },
  "base-url": { type: "string" },
  json: { type: "boolean" },
  "no-progress": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export const COMMON_HELP = `Common options:
  --api-key KEY     producer API key (default: $KUBBI_API_KEY)
  --base-url URL    the kubbi API (default: $KUBBI_BASE_URL, then https://api.kubbi.ai)
  --json            print JSON instead of text
  --no-progress     never draw a progress bar (one is drawn on stderr only when stdout is a terminal)
  -h, --help        show this help`;
