import { pino, type Logger } from "pino";

/**
 * JSON logs to stdout. Request logs carry route templates, never raw URLs (a claim URL is a
 * secret), and no bodies or headers; the redaction list is a second line of defence.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "kubbi-api" },
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "req.headers.authorization",
        "req.headers.cookie",
        "claimToken",
        "claim_token",
        "*.claim_token",
        "claim_url",
        "*.claim_url",
        "content",
        "*.content",
        "files",
        "*.files",
        "body",
        "*.body",
        "apiKey",
        "*.apiKey",
      ],
      censor: "[redacted]",
    },
  });
}
