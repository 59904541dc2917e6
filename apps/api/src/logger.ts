import { destination, pino, type Logger } from "pino";

/**
 * JSON logs to stdout. Request logs carry route templates, never raw URLs (a claim URL is a
 * secret), and no bodies or headers; the redaction list is a second line of defence.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: "kubbi-api" },
      // Top-level paths only: wildcard redaction costs on every line, and nothing logs nested secrets.
      redact: {
        paths: ["authorization", "headers", "claimToken", "claim_token", "claim_url", "content", "files", "body", "apiKey"],
        censor: "[redacted]",
      },
    },
    // Asynchronous writes keep logging off the request path; main.ts flushes before exiting.
    destination({ sync: false }),
  );
}
