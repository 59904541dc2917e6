import { parsePositiveInt } from "@kubbi.ai/sdk";
import { CliError, ExitCode } from "./exit-codes.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "3600", "90s", "10m", "1h", "1d" → seconds. */
export function parseTtl(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match)
    throw new CliError(
      `--ttl: expected seconds or a duration like 10m, 1h, 1d; got ${JSON.stringify(value)}`,
      ExitCode.usage,
    );
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || "s"]!;
  if (!Number.isSafeInteger(seconds) || seconds <= 0)
    throw new CliError(`--ttl: must be positive; got ${JSON.stringify(value)}`, ExitCode.usage);
  return seconds;
}

/** A positive integer, or "unlimited" (null: claimable until it expires). */
export function parseMaxRetrievals(value: string): number | null {
  if (value === "unlimited") return null;
  const retrievals = parsePositiveInt(value);
  if (retrievals === undefined)
    throw new CliError(
      `--max-retrievals: expected a positive integer or "unlimited"; got ${JSON.stringify(value)}`,
      ExitCode.usage,
    );
  return retrievals;
}
