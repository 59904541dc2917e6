import { z } from "zod";

export const FILE_ROLES = ["instructions", "data", "context", "config", "attachment"] as const;
export const SINGLE_CONTENT_TYPES = ["text/plain", "application/json"] as const;
const METADATA_MAX_BYTES = 1024;
const MAX_RETRIEVALS_CEILING = 1_000_000;
/** A hard ceiling on the array before plan limits apply, so a hostile body cannot make us loop long. */
const FILES_ARRAY_CEILING = 100;

const MIME_TOKEN = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}";
const MIME_PATTERN = new RegExp(
  `^${MIME_TOKEN}/${MIME_TOKEN}(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\\]*"|[A-Za-z0-9!#$&^_.+-]+))*$`,
);
// Base64 characters, up to two '=' at the end, and a length that is a multiple of 4. (A pattern of
// repeated 4-character groups overflows the regex engine's stack on a file of a few MiB.)
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64_PATTERN.test(text);
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const maxRetrievals = z
  .number({ error: "must be an integer" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be at least 1" })
  .max(MAX_RETRIEVALS_CEILING, { error: `must be at most ${MAX_RETRIEVALS_CEILING}` })
  .nullable()
  .optional();

const metadata = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object or null" })
  .nullable()
  .optional()
  .refine((value) => value == null || Buffer.byteLength(JSON.stringify(value)) <= METADATA_MAX_BYTES, {
    error: `must be at most ${METADATA_MAX_BYTES} bytes as JSON`,
  });

const fileName = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(255, { error: "must be at most 255 characters" })
  .refine((name) => !/[/\\]/.test(name), { error: "must not contain path separators" })
  .refine((name) => name !== "." && name !== "..", { error: 'must not be "." or ".."' })
  .refine((name) => !CONTROL_CHARACTERS.test(name), { error: "must not contain control characters" });

const fileInput = z
  .strictObject({
    name: fileName,
    content: z.string({ error: "must be a string (base64 with encoding \"base64\" for binary)" }),
    content_type: z.string({ error: "must be a string" }).regex(MIME_PATTERN, { error: "must be a valid MIME type" }),
    role: z.enum(FILE_ROLES, { error: `must be one of ${FILE_ROLES.join(", ")}` }).nullable().optional(),
    encoding: z.literal("base64", { error: 'must be "base64" or absent' }).nullable().optional(),
  })
  .refine((file) => file.encoding !== "base64" || isBase64(file.content), {
    error: "must be valid base64 when encoding is base64",
    path: ["content"],
  });

export type FileInput = z.infer<typeof fileInput>;

export function createKubbiSchemas(ttl: { min: number; max: number }) {
  const ttlSeconds = z
    .number({ error: "is required and must be an integer number of seconds" })
    .int({ error: "must be an integer number of seconds" })
    .min(ttl.min, { error: `must be at least ${ttl.min}` })
    .max(ttl.max, { error: `must be at most ${ttl.max}` });

  const single = z
    .strictObject({
      content: z.unknown().optional(),
      content_type: z.enum(SINGLE_CONTENT_TYPES, { error: `must be one of ${SINGLE_CONTENT_TYPES.join(", ")}` }),
      ttl_seconds: ttlSeconds,
      max_retrievals: maxRetrievals,
      metadata,
    })
    .superRefine((body, context) => {
      if (body.content === undefined || body.content === null) {
        context.addIssue({ code: "custom", path: ["content"], message: "is required" });
      } else if (body.content_type === "text/plain" && typeof body.content !== "string") {
        context.addIssue({ code: "custom", path: ["content"], message: "must be a string for text/plain" });
      } else if (body.content_type === "application/json" && typeof body.content === "string" && !isJsonText(body.content)) {
        context.addIssue({ code: "custom", path: ["content"], message: "must be valid JSON text when given as a string for application/json" });
      }
    });

  const pkg = z.strictObject({
    files: z
      .array(fileInput, { error: "must be an array of files" })
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
export type PackageInput = z.infer<CreateKubbiSchemas["package"]>;

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
    const problems = [...(parsed.success ? [] : issuesToMessages(parsed.error)), ...duplicateNameProblems((body as { files: unknown }).files)];
    return problems.length === 0 && parsed.success ? { kind: "package", input: parsed.data } : { problems };
  }
  const parsed = schemas.single.safeParse(body);
  return parsed.success ? { kind: "single", input: parsed.data } : { problems: issuesToMessages(parsed.error) };
}

/** files[0].name style, as a user would write it. */
function formatPath(path: PropertyKey[]): string {
  return path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("").replace(/^\./, "");
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

function duplicateNameProblems(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const seen = new Set<string>();
  return files.flatMap((file: unknown, index) => {
    const name = (file as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return [];
    if (seen.has(name)) return [`files[${index}].name: must be unique within the package`];
    seen.add(name);
    return [];
  });
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
