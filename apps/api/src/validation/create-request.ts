import { z } from "zod";

const DESCRIPTION_MAX_CHARACTERS = 500;
const MAX_RETRIEVALS_CEILING = 1_000_000;
/**
 * Control characters other than tab and newline, line and paragraph separators, and bidirectional
 * overrides and isolates: a description is shown to a person as plain text.
 */
const UNPRINTABLE = /[^\P{Cc}\t\n]|[\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;
/** A raw uncompressed P-256 point (65 bytes) in base64url is 87 characters. */
const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{87}$/;

export function createRequestSchema(ttl: { min: number; max: number }) {
  const seconds = z
    .number({ error: "is required and must be an integer number of seconds" })
    .int({ error: "must be an integer number of seconds" })
    .min(ttl.min, { error: `must be at least ${ttl.min}` })
    .max(ttl.max, { error: `must be at most ${ttl.max}` });
  const positive = z
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be at least 1" });
  return z.strictObject({
    description: z
      .string({ error: "is required and must be a string" })
      .trim()
      .min(1, { error: "must not be empty" })
      .max(DESCRIPTION_MAX_CHARACTERS, { error: `must be at most ${DESCRIPTION_MAX_CHARACTERS} characters` })
      .refine((text) => !UNPRINTABLE.test(text), {
        error: "must be printable text (no control or bidirectional-override characters)",
      }),
    wanted: z
      .strictObject({
        kind: z.enum(["content", "files"], { error: 'must be "content" (one text or JSON payload) or "files"' }),
        max_files: positive.optional(),
        max_bytes: positive.optional(),
      })
      .optional(),
    public_key: z
      .string({ error: "is required: the requester's P-256 public key, raw uncompressed, base64url" })
      .regex(PUBLIC_KEY_PATTERN, {
        error: "must be a raw uncompressed P-256 public key (65 bytes) in base64url (87 characters)",
      }),
    request_ttl_seconds: seconds,
    ttl_seconds: seconds,
    max_retrievals: positive
      .max(MAX_RETRIEVALS_CEILING, { error: `must be at most ${MAX_RETRIEVALS_CEILING}` })
      .nullable()
      .optional(),
  });
}

export type CreateRequestSchema = ReturnType<typeof createRequestSchema>;
