import { destination, pino, type DestinationStream, type Logger } from "pino";
import { prettyStdout } from "./log-format.js";

/**
 * Logs to stdout: JSON in production, one readable line per entry in development. Request logs carry
 * route templates, never raw URLs (a claim URL is a secret), and no bodies or headers; the redaction
 * list is a second line of defence.
 */
export function createLogger(level: string, format: "json" | "pretty" = "json"): Logger {
  return pino(
    {
      level,
      base: { service: "kubbi-api" },
      // Top-level paths only: wildcard redaction costs on every line, and nothing logs nested secrets.
      redact: {
        paths: [
          "authorization",
          "headers",
          "claimToken",
          "claim_token",
          "claim_url",
          "content",
          "files",
          "body",
          "apiKey",
        ],
        censor: "[redacted]",
      },
    },
    // JSON writes are asynchronous to keep logging off the request path (main.ts flushes before
    // exiting); development lines are written at once, so they never land inside the start-up banner.
    format === "pretty" ? (prettyStdout as DestinationStream) : destination({ sync: false }),
  );
}

/**
 * An error as log lines carry it: its name and message, never its stack or other properties (a Redis or
 * HTTP client error can hold arguments). Unexpected errors log their stack where they are handled.
 */
export function errorFields(error: unknown): { name: string; message: string } {
  const { name, message } = error as Error;
  return { name, message };
}
