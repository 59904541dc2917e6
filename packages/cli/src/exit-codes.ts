/**
 * Exit codes, documented in the README: scripts branch on them, so each failure a caller could act
 * on differently has its own.
 */
import {
  isKubbiApiError,
  isKubbiAuthenticationError,
  isKubbiGoneError,
  isKubbiNetworkError,
  isKubbiNotFoundError,
  isKubbiQuotaExceededError,
  isKubbiUsageError,
  isKubbiValidationError,
} from "@kubbi.ai/sdk";
import { escapeText } from "./escape.js";

export const ExitCode = {
  ok: 0,
  /** Anything else: an unexpected error, an API error without a code of its own (409 conflict, 500). */
  failure: 1,
  /** Bad flags or arguments, a malformed claim URL. */
  usage: 2,
  /** No such kubbi (unknown id or claim URL, or another key's kubbi). */
  notFound: 3,
  /** The kubbi is gone: burned, expired or deleted. */
  gone: 4,
  /** No API key, or the API refused it. */
  auth: 5,
  /** The API refused the request: invalid input, too large, over quota, rate limited. */
  rejected: 6,
  /** No answer from the API: connection refused, DNS, timeout. */
  network: 7,
  /** Refused to write a claimed file: it exists (no --force), or its name is unsafe. */
  unsafeWrite: 8,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI raises itself, carrying the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CliError) return error.exitCode;
  if (isKubbiNotFoundError(error)) return ExitCode.notFound;
  if (isKubbiGoneError(error)) return ExitCode.gone;
  if (isKubbiAuthenticationError(error)) return ExitCode.auth;
  if (isKubbiValidationError(error) || isKubbiQuotaExceededError(error)) return ExitCode.rejected;
  if (isKubbiNetworkError(error)) return ExitCode.network;
  if (isKubbiUsageError(error)) return ExitCode.usage;
  return ExitCode.failure;
}

/**
 * One line for stderr: the API's code and message, every validation problem, and the request id. Each part
 * is escaped on its own: a server (or a name quoted in a message) may carry control characters or newlines.
 */
export function describeError(error: unknown): string {
  if (isKubbiApiError(error)) {
    const lines = [`kubbi: ${escapeText(error.code)}: ${escapeText(error.message)}`];
    for (const message of error.messages) if (message !== error.message) lines.push(`  - ${escapeText(message)}`);
    if (error.requestId) lines.push(`  (request id ${escapeText(error.requestId)})`);
    return lines.join("\n");
  }
  return `kubbi: ${escapeText(error instanceof Error ? error.message : String(error))}`;
}
