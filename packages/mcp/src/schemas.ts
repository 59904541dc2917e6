/**
 * The tools' input and output schemas. Fields are snake_case, as on the kubbi wire, so what a model
 * reads here matches the API's documentation and error messages.
 */
import { z } from "zod";

// Input fields are checked loosely on purpose: the API is the authority on limits (a self-hosted API may
// allow other TTLs or sizes), and its validation messages reach the model as tool errors.
const ttlSeconds = z
  .number()
  .int()
  .positive()
  .default(3600)
  .describe("Seconds until the kubbi expires, claimed or not. Default 3600 (1 hour); the hosted API allows 60 to 86400.");
const maxRetrievals = z
  .number()
  .int()
  .positive()
  .nullable()
  .default(1)
  .describe("How many claims are allowed before it burns. Default 1: burn after the first claim. null: unlimited until it expires.");
// Arguments arrive as parsed JSON, so any value here is JSON; a plain schema keeps $defs out of what hosts see.
const jsonObject = z.record(z.string(), z.unknown());
const metadata = jsonObject
  .optional()
  .describe("Optional JSON object (at most 1 KB) describing the handoff. NOT secret: anyone with the claim URL can read it via inspect.");
const claimUrl = z.string().min(1).describe("The claim URL (https://…/r/<token>) exactly as it was handed to you.");
const kubbiId = z.string().min(1).describe("The kubbi's id (a UUID), as returned by kubbi_send, kubbi_send_files or kubbi_list.");

const role = z.enum(["instructions", "data", "context", "config", "attachment"]);
const status = z.enum(["active", "burned", "expired", "deleted"]);
const kubbiType = z.enum(["kubbi", "kubbi_package"]);
const timestamp = z.string().describe("ISO 8601 UTC timestamp");

export const sendInput = {
  content: z.string().describe("The payload. For application/json, the JSON text (it must parse as JSON)."),
  content_type: z.enum(["text/plain", "application/json"]).default("text/plain"),
  ttl_seconds: ttlSeconds,
  max_retrievals: maxRetrievals,
  metadata,
};

export const sendFilesInput = {
  files: z
    .array(
      z.object({
        name: z.string().min(1).describe("A plain file name such as report.pdf: no / or \\, not . or .., unique within the package."),
        content: z.string().describe("The file's content: UTF-8 text, or base64 when encoding is \"base64\"."),
        content_type: z.string().min(1).describe("The file's MIME type, e.g. text/markdown, application/json, image/png."),
        role: role.optional().describe("What the file is for, so the consumer knows how to use it."),
        encoding: z.literal("base64").optional().describe('Set to "base64" for binary files (images, archives, PDFs); omit for text.'),
      }),
    )
    .min(1)
    .describe("1 to 5 files (the plan's limit)."),
  ttl_seconds: ttlSeconds,
  max_retrievals: maxRetrievals,
  metadata,
};

export const claimUrlInput = { claim_url: claimUrl };
export const idInput = { id: kubbiId };
export const listInput = {
  page: z.number().int().positive().default(1).describe("1-based page number."),
  limit: z.number().int().positive().default(20).describe("Kubbis per page, 1 to 100."),
};

const manifestEntry = z.object({
  name: z.string(),
  content_type: z.string(),
  size_bytes: z.number(),
  role: role.nullable(),
  sha256: z.string().optional().describe("Hex SHA-256 of the decoded bytes (sent and claimed files only)"),
});

/** What every view of a kubbi says, at creation and after. */
const kubbiFields = {
  type: kubbiType,
  status,
  content_type: z.string().nullable(),
  file_count: z.number().nullable(),
  files: z.array(manifestEntry).nullable(),
  total_size_bytes: z.number(),
  max_retrievals: z.number().nullable(),
  metadata: jsonObject.nullable(),
  created_at: timestamp,
  expires_at: timestamp,
};

export const sentOutput = {
  id: z.string(),
  claim_url: z.string().describe("Hand this URL to the consumer. It is the capability to read the payload: treat it as a secret."),
  ...kubbiFields,
};

const detailFields = {
  ...kubbiFields,
  retrieval_count: z.number(),
  remaining_reads: z.number().nullable(),
};

export const inspectOutput = { kubbi_id: z.string(), ...detailFields };

const detail = z.object({
  id: z.string(),
  ...detailFields,
  first_retrieved_at: timestamp.nullable(),
  last_retrieved_at: timestamp.nullable(),
});
export const detailOutput = detail.shape;

export const listOutput = {
  kubbis: z.array(detail),
  pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), total_pages: z.number() }),
};

export const deleteOutput = { id: z.string(), status: z.literal("deleted") };

export const claimOutput = {
  type: kubbiType,
  kubbi_id: z.string(),
  burned: z.boolean().describe("True when this claim was the last allowed one: the kubbi is gone now, keep what you got."),
  retrieval_count: z.number(),
  remaining_reads: z.number().nullable(),
  content_type: z.string().nullable().describe("The single payload's content type; null for a package."),
  content: z.unknown().describe("The single payload: text, or the parsed JSON value for application/json; null for a package."),
  files: z
    .array(
      manifestEntry.extend({
        content: z.string(),
        encoding: z.literal("base64").nullable().describe('null: content is UTF-8 text. "base64": binary content, base64-encoded.'),
      }),
    )
    .nullable()
    .describe("The package's files; null for a single payload."),
  metadata: jsonObject.nullable(),
  created_at: timestamp,
  expires_at: timestamp,
};

type Output<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;
export type SentOutput = Output<typeof sentOutput>;
export type InspectOutput = Output<typeof inspectOutput>;
export type DetailOutput = Output<typeof detailOutput>;
export type ListOutput = Output<typeof listOutput>;
export type DeleteOutput = Output<typeof deleteOutput>;
export type ClaimOutput = Output<typeof claimOutput>;
