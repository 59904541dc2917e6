/**
 * The tools' input and output schemas, camelCase like the TypeScript SDK and the product documents
 * (`kubbi_send({ content, contentType, ttlSeconds, maxRetrievals })`). Inputs are strict objects: an
 * argument a tool does not define is refused (see arguments.ts), never dropped.
 */
import { FILE_ROLES, KUBBI_STATUSES, KUBBI_TYPES, SINGLE_CONTENT_TYPES } from "@kubbi.ai/sdk";
import { z } from "zod";

// Input values are checked loosely on purpose: the API is the authority on limits (a self-hosted API may
// allow other TTLs or sizes), and its validation messages reach the model as tool errors.
const ttlSeconds = z
  .number()
  .int()
  .positive()
  .default(3600)
  .describe(
    "Seconds until the kubbi expires, claimed or not. Default 3600 (1 hour); the hosted API allows 60 to 86400.",
  );
const maxRetrievals = z
  .number()
  .int()
  .positive()
  .nullable()
  .default(1)
  .describe(
    "How many claims are allowed before it burns. Default 1: burn after the first claim. null: unlimited until it expires.",
  );
// Arguments arrive as parsed JSON, so any value here is JSON; a plain schema keeps $defs out of what hosts see.
const jsonObject = z.record(z.string(), z.unknown());
const metadata = jsonObject
  .optional()
  .describe(
    "Optional JSON object (at most 1 KB) describing the handoff. NOT secret: anyone with the claim URL can read it via inspect.",
  );
const claimUrl = z.string().min(1).describe("The claim URL (https://…/r/<token>) exactly as it was handed to you.");
const kubbiId = z
  .string()
  .min(1)
  .describe("The kubbi's id (a UUID), as returned by kubbi_send, kubbi_send_files or kubbi_list.");

const role = z.enum(FILE_ROLES);
const status = z.enum(KUBBI_STATUSES);
const timestamp = z.string().describe("ISO 8601 UTC timestamp");

export const sendInput = z.strictObject({
  content: z
    .unknown()
    .describe(
      "The payload. text/plain: a string. application/json: any JSON value, or its JSON text as a string (a string that is not JSON text is stored as a JSON string).",
    ),
  contentType: z.enum(SINGLE_CONTENT_TYPES).default("text/plain"),
  ttlSeconds,
  maxRetrievals,
  metadata,
});

const fileFields = {
  name: z
    .string()
    .min(1)
    .describe("A plain file name such as report.pdf: no / or \\, not . or .., unique within the package."),
  contentType: z.string().min(1).describe("The file's MIME type, e.g. text/markdown, application/json, image/png."),
  role: role.optional().describe("What the file is for, so the consumer knows how to use it."),
  encoding: z
    .literal("base64")
    .optional()
    .describe('Set to "base64" when content is base64 (binary files: images, archives, PDFs); omit for text.'),
};
const fileContent = z.string().describe('The file\'s content: UTF-8 text, or base64 when encoding is "base64".');

/** kubbi_send_files' input; with `paths`, a file may name a local `path` instead of carrying its `content`. */
export function sendFilesInput(paths: boolean) {
  const file = paths
    ? z
        .strictObject({
          ...fileFields,
          content: fileContent.optional(),
          path: z
            .string()
            .min(1)
            .optional()
            .describe(
              "Instead of content: a file on this machine, inside the client's roots, read and sent as is. Its content never enters the conversation.",
            ),
        })
        .refine((value) => (value.content === undefined) !== (value.path === undefined), {
          message: "give exactly one of content and path",
        })
        .refine((value) => value.path === undefined || value.encoding === undefined, {
          message: "encoding describes content; a path is read as bytes",
          path: ["encoding"],
        })
    : z.strictObject({ ...fileFields, content: fileContent });
  return z.strictObject({
    files: z.array(file).min(1).describe("1 to 5 files (the plan's limit)."),
    ttlSeconds,
    maxRetrievals,
    metadata,
  });
}

export const inspectInput = z.strictObject({ claimUrl });

/** kubbi_claim's input; with `paths`, `saveTo` writes the content to disk instead of returning it. */
export function claimInput(paths: boolean) {
  const saveTo = z
    .string()
    .min(1)
    .optional()
    .describe(
      "A new directory inside the client's roots to write the content to, instead of returning it: the result then carries only names, paths, sizes and sha256, so a secret never enters the conversation.",
    );
  return paths ? z.strictObject({ claimUrl, saveTo }) : z.strictObject({ claimUrl });
}

export const idInput = z.strictObject({ id: kubbiId });
export const listInput = z.strictObject({
  page: z.number().int().positive().default(1).describe("1-based page number."),
  limit: z.number().int().positive().default(20).describe("Kubbis per page, 1 to 100."),
});

/** What a file is, as every view but a claim shows it: never a content hash (a hash of a short secret is an oracle). */
const manifestEntry = z.object({
  name: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  role: role.nullable(),
});

const common = {
  status,
  totalSizeBytes: z.number(),
  maxRetrievals: z.number().nullable(),
  metadata: jsonObject.nullable(),
  createdAt: timestamp,
  expiresAt: timestamp,
};
const newClaimUrl = z
  .string()
  .describe("Hand this URL to the consumer. It is the capability to read the payload: treat it as a secret.");

export const sendOutput = z.object({
  id: z.string(),
  type: z.literal("kubbi"),
  claimUrl: newClaimUrl,
  contentType: z.string(),
  ...common,
});
export const sendFilesOutput = z.object({
  id: z.string(),
  type: z.literal("kubbi_package"),
  claimUrl: newClaimUrl,
  fileCount: z.number(),
  files: z.array(manifestEntry),
  ...common,
});

const state = {
  type: z.enum(KUBBI_TYPES),
  ...common,
  contentType: z.string().nullable().describe("The single payload's content type; null for a package."),
  fileCount: z.number().nullable().describe("The package's number of files; null for a single payload."),
  files: z.array(manifestEntry).nullable(),
  retrievalCount: z.number(),
  remainingReads: z.number().nullable().describe("Claims left before it burns; null: unlimited until it expires."),
};

export const inspectOutput = z.object({ kubbiId: z.string(), ...state });
const detail = z.object({
  id: z.string(),
  ...state,
  firstRetrievedAt: timestamp.nullable(),
  lastRetrievedAt: timestamp.nullable(),
  lastClaim: z
    .object({
      at: timestamp,
      address: z.string().describe("The consumer's address as the server saw it; empty when not recorded."),
      userAgent: z
        .string()
        .describe("The User-Agent the consumer sent: its own word, not proof of who it is; empty when none."),
    })
    .nullable()
    .describe("The most recent claim; null when nobody has claimed it."),
  expiredUnclaimed: z.boolean().describe("True when its TTL ran out before anyone claimed it."),
  inspectCount: z.number().describe("Inspects so far: looks that did not claim."),
  lastInspectedAt: timestamp.nullable(),
});
export const detailOutput = detail;
export const listOutput = z.object({
  kubbis: z.array(detail),
  pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), totalPages: z.number() }),
});
export const deleteOutput = z.object({ id: z.string(), status: z.literal("deleted") });

export const claimOutput = z.object({
  type: z.enum(KUBBI_TYPES),
  kubbiId: z.string(),
  burned: z
    .boolean()
    .describe("True when this claim was the last allowed one: the kubbi is gone now, keep what you got."),
  retrievalCount: z.number(),
  remainingReads: z.number().nullable(),
  metadata: jsonObject.nullable(),
  createdAt: timestamp,
  expiresAt: timestamp,
  contentType: z.string().optional().describe("A single payload's content type."),
  content: z
    .unknown()
    .optional()
    .describe("A single payload: text, or the parsed JSON value for application/json. Absent when saved to disk."),
  fileCount: z.number().optional(),
  totalSizeBytes: z.number().optional(),
  savedTo: z.string().optional().describe("The directory the content was written to (saveTo)."),
  files: z
    .array(
      manifestEntry.extend({
        sha256: z.string().describe("Hex SHA-256 of the file's bytes, to verify them."),
        content: z.string().optional().describe("The file's content, unless it was saved to disk."),
        encoding: z
          .literal("base64")
          .nullable()
          .optional()
          .describe('null: content is UTF-8 text. "base64": binary content, base64-encoded.'),
        path: z.string().optional().describe("Where the file was written (saveTo)."),
      }),
    )
    .optional()
    .describe("A package's files; with saveTo, also a single payload's one file."),
});

export type SendOutput = z.infer<typeof sendOutput>;
export type SendFilesOutput = z.infer<typeof sendFilesOutput>;
export type InspectOutput = z.infer<typeof inspectOutput>;
export type DetailOutput = z.infer<typeof detailOutput>;
export type ListOutput = z.infer<typeof listOutput>;
export type ClaimOutput = z.infer<typeof claimOutput>;
