import { FILE_ROLES, LIMITS, SINGLE_CONTENT_TYPES } from "@kubbi/openapi";
import { z } from "zod";

const METADATA_MAX_BYTES = 1024;
const MAX_RETRIEVALS_CEILING = LIMITS.maxRetrievals.max;
/** A hard ceiling on the array before plan limits apply, so a hostile body cannot make us loop long. */
const FILES_ARRAY_CEILING = 100;
/** Objects and arrays nested deeper than this are refused: serialising them again at claim time would overflow the stack. */
const MAX_JSON_DEPTH = 64;
/** What common file systems allow for one name. */
const FILE_NAME_MAX_BYTES = LIMITS.fileNameMaxLength;
const MIME_MAX_LENGTH = LIMITS.mimeTypeMaxLength;

const MIME_TOKEN = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}";
// Parameters are separated by spaces only, and quoted values hold printable ASCII only: a content
// type is shown to people and agents, and a control character in it would be acted on by a terminal.
const MIME_PATTERN = new RegExp(
  `^${MIME_TOKEN}/${MIME_TOKEN}( *; *[A-Za-z0-9!#$&^_.+-]+=("[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"|[A-Za-z0-9!#$&^_.+-]+))*$`,
);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Base64 characters, up to two '=' at the end, and a length that is a multiple of 4. (A pattern of
// repeated 4-character groups overflows the regex engine's stack on a file of a few MiB.)
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64_PATTERN.test(text);
/**
 * Characters a file name may not hold: controls (C0, DEL, C1), format characters (bidirectional
 * overrides and isolates such as U+202E, zero-width characters, U+FEFF) and line or paragraph
 * separators. Each can make a name display as something it is not (`invoice\u202Efdp.exe` shows as
 * `invoiceexe.pdf`) or be acted on by a terminal.
 */
const UNSAFE_NAME_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Half of a UTF-16 pair on its own: no UTF-8 file system can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A missing field says it is required; a present one of the wrong kind says what it must be. */
const requiredOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : message;

const maxRetrievals = z
  .number({ error: "must be an integer" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be at least 1" })
  .max(MAX_RETRIEVALS_CEILING, { error: `must be at most ${MAX_RETRIEVALS_CEILING}` })
  .nullable()
  .optional();

const tooDeep = `must be nested at most ${MAX_JSON_DEPTH} levels deep`;

const metadata = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object or null" })
  .nullable()
  .optional()
  .refine((value) => value == null || !nestsDeeperThan(value, MAX_JSON_DEPTH), { error: tooDeep, abort: true })
  .refine((value) => value == null || Buffer.byteLength(JSON.stringify(value)) <= METADATA_MAX_BYTES, {
    error: `must be at most ${METADATA_MAX_BYTES} bytes as JSON`,
  });

/** Names are kept in Unicode NFC, so one name has one spelling in bytes, whatever the producer's platform wrote. */
const fileName = z
  .string({ error: requiredOr("must be a string") })
  .transform((name) => name.normalize("NFC"))
  .pipe(
    z
      .string()
      .min(1, { error: "must not be empty" })
      .refine((name) => !LONE_SURROGATE.test(name), {
        error: "must be valid Unicode (no lone surrogates)",
        abort: true,
      })
      .refine((name) => Buffer.byteLength(name, "utf8") <= FILE_NAME_MAX_BYTES, {
        error: `must be at most ${FILE_NAME_MAX_BYTES} bytes in UTF-8`,
      })
      .refine((name) => !/[/\\]/.test(name), { error: "must not contain path separators" })
      .refine((name) => name !== "." && name !== "..", { error: 'must not be "." or ".."' })
      .refine((name) => !UNSAFE_NAME_CHARACTERS.test(name), {
        error: "must not contain control, invisible or bidirectional formatting characters",
      }),
  );

const mimeType = z
  .string({ error: requiredOr("must be a string") })
  .refine((value) => PRINTABLE_ASCII.test(value), {
    error: "must be printable ASCII only (no control characters)",
    abort: true,
  })
  .refine((value) => value.length <= MIME_MAX_LENGTH, {
    error: `must be at most ${MIME_MAX_LENGTH} characters`,
    abort: true,
  })
  .refine((value) => MIME_PATTERN.test(value), {
    error: "must be a valid MIME type (type/subtype, optionally ; name=value parameters)",
  });

const fileInput = z
  .strictObject({
    name: fileName,
    content: z.string({ error: requiredOr('must be a string (base64 with encoding "base64" for binary)') }),
    content_type: mimeType,
    role: z
      .enum(FILE_ROLES, { error: `must be one of ${FILE_ROLES.join(", ")}` })
      .nullable()
      .optional(),
    encoding: z.literal("base64", { error: 'must be "base64" or absent' }).nullable().optional(),
  })
  .refine((file) => file.encoding !== "base64" || isBase64(file.content), {
    error: "must be valid base64 when encoding is base64",
    path: ["content"],
  });

export type FileInput = z.infer<typeof fileInput>;

export function createKubbiSchemas(ttl: { min: number; max: number }) {
  const ttlSeconds = z
    .number({ error: requiredOr("must be an integer number of seconds") })
    .int({ error: "must be an integer number of seconds" })
    .min(ttl.min, { error: `must be at least ${ttl.min}` })
    .max(ttl.max, { error: `must be at most ${ttl.max}` });

  const single = z
    .strictObject({
      content: z.unknown().optional(),
      content_type: z.enum(SINGLE_CONTENT_TYPES, {
        error: requiredOr(`must be one of ${SINGLE_CONTENT_TYPES.join(", ")}`),
      }),
      ttl_seconds: ttlSeconds,
      max_retrievals: maxRetrievals,
      metadata,
    })
    .superRefine((body, context) => {
      if (body.content === undefined || body.content === null) {
        context.addIssue({ code: "custom", path: ["content"], message: "is required" });
      } else if (body.content_type === "text/plain" && typeof body.content !== "string") {
        context.addIssue({ code: "custom", path: ["content"], message: "must be a string for text/plain" });
      } else if (body.content_type === "application/json") {
        const value = typeof body.content === "string" ? parseJsonText(body.content) : body.content;
        if (value === NOT_JSON) {
          context.addIssue({
            code: "custom",
            path: ["content"],
            message: "must be valid JSON text when given as a string for application/json",
          });
        } else if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
          context.addIssue({ code: "custom", path: ["content"], message: tooDeep });
        }
      }
    });

  const pkg = z.strictObject({
    files: z
      .array(fileInput, { error: requiredOr("must be an array of files") })
      .min(1, { error: "must contain at least one file" })
      .max(FILES_ARRAY_CEILING, { error: `must contain at most ${FILES_ARRAY_CEILING} files` }),
    ttl_seconds: ttlSeconds,
    max_retrievals: maxRetrievals,
    metadata,
  });

  return { single, package: pkg };
}

export type CreateKubbiSchemas = ReturnType<typeof createKubbiSchemas>;
export type SingleInput = z.infer<CreateKubbiSchemas["single"]>;
type PackageInput = z.infer<CreateKubbiSchemas["package"]>;

export type CreateInput = { kind: "single"; input: SingleInput } | { kind: "package"; input: PackageInput };

/** Picks the shape by its fields, then returns either the input or every problem as a message. */
export function parseCreateKubbi(schemas: CreateKubbiSchemas, body: unknown): CreateInput | { problems: string[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { problems: ["body: must be a JSON object"] };
  }
  const hasFiles = "files" in body;
  if (hasFiles && "content" in body) return { problems: ["body: provide either content or files, not both"] };
  if (hasFiles) {
    const parsed = schemas.package.safeParse(body);
    // Checked on the raw input so a duplicate is reported alongside every other problem.
    const problems = [
      ...(parsed.success ? [] : issuesToMessages(parsed.error)),
      ...duplicateNameProblems((body as { files: unknown }).files),
    ];
    return problems.length === 0 && parsed.success ? { kind: "package", input: parsed.data } : { problems };
  }
  const parsed = schemas.single.safeParse(body);
  return parsed.success ? { kind: "single", input: parsed.data } : { problems: issuesToMessages(parsed.error) };
}

/** files[0].name style, as a user would write it. */
function formatPath(path: PropertyKey[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");
}

/** A JSON object body (none counts as {}) checked against one schema: its value, or the messages of what is wrong. */
export function parseObjectBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): { input: z.infer<Schema> } | { problems: string[] } {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? { input: parsed.data } : { problems: issuesToMessages(parsed.error) };
}

export function issuesToMessages(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const where = issue.path.length ? `${formatPath(issue.path)}: ` : "";
      return `${where}unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    }
    return `${issue.path.length ? formatPath(issue.path) : "body"}: ${issue.message}`;
  });
}

/**
 * Names that differ only in case or Unicode form are one file on macOS and Windows (and to a
 * person): compared in NFC with a simple case fold (upper then lower, so "ß" matches "SS").
 */
const sameFileKey = (name: string) => name.normalize("NFC").toUpperCase().toLowerCase();

function duplicateNameProblems(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const firstIndexByKey = new Map<string, number>();
  return files.flatMap((file: unknown, index) => {
    const name = (file as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return [];
    const first = firstIndexByKey.get(sameFileKey(name));
    if (first !== undefined)
      return [
        `files[${index}].name: must be unique within the package, ignoring case and Unicode normalization (same as files[${first}].name)`,
      ];
    firstIndexByKey.set(sameFileKey(name), index);
    return [];
  });
}

const NOT_JSON = Symbol("not JSON");

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Whether objects and arrays nest more than `limit` levels; iterative, so any depth is safe to measure. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[container: object, depth: number]> = [];
  const visit = (child: unknown, depth: number) => {
    if (typeof child === "object" && child !== null) pending.push([child, depth]);
  };
  visit(value, 1);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [container, depth] = next;
    if (depth > limit) return true;
    for (const child of Array.isArray(container) ? container : Object.values(container)) visit(child, depth + 1);
  }
  return false;
}
