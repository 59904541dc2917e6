/** The kubbi tools. Descriptions are written for the model that decides when and how to call them. */
import type { Metadata } from "@kubbi.ai/sdk";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { KubbiAccess } from "./access.js";
import { presentClaim, presentDetail, presentInspect, presentList, presentSent } from "./present.js";
import { toolError, toolSuccess } from "./results.js";
import * as schema from "./schemas.js";

const CLAIM_URL_IS_SECRET =
  "The claim URL is a capability: whoever holds it can claim the content. Give it only to the intended consumer, and do not echo it into logs or public places.";
const LIMITS = "Limits (hosted defaults; a self-hosted API may differ): at most 10 MB per kubbi, 5 files per package, metadata up to 1 KB.";

/** Runs a tool body; whatever it throws becomes a tool error rather than a protocol error. */
async function run<Output extends Record<string, unknown>>(body: () => Promise<Output>) {
  try {
    return toolSuccess(await body());
  } catch (error) {
    return toolError(error);
  }
}

// MCP arguments arrive as parsed JSON, so the metadata object holds JSON values only.
const asMetadata = (value: Record<string, unknown> | undefined) => value as Metadata | undefined;

export function registerKubbiTools(server: McpServer, access: KubbiAccess): void {
  server.registerTool(
    "kubbi_send",
    {
      title: "Send a secret or payload via kubbi",
      description: [
        "Hand off one text or JSON payload securely: kubbi stores it encrypted behind a claim URL that expires, and returns that claim_url.",
        "Pass the claim_url to the consumer (another agent, a script, a person) instead of the content itself.",
        CLAIM_URL_IS_SECRET,
        "By default the kubbi burns after the first claim (max_retrievals 1) and expires after 1 hour (ttl_seconds 3600).",
        "Use kubbi_send_files instead for files, binary data or several items.",
        LIMITS,
      ].join(" "),
      inputSchema: schema.sendInput,
      outputSchema: schema.sentOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const common = { ttlSeconds: args.ttl_seconds, maxRetrievals: args.max_retrievals, metadata: asMetadata(args.metadata) };
        const sent =
          args.content_type === "application/json"
            ? // A string sent as application/json is JSON text: the API parses it, and refuses it when it is not JSON.
              await access.producer().send({ ...common, contentType: "application/json", content: args.content })
            : await access.producer().send({ ...common, contentType: "text/plain", content: args.content });
        return presentSent(sent);
      }),
  );

  server.registerTool(
    "kubbi_send_files",
    {
      title: "Send files via kubbi",
      description: [
        "Hand off a package of 1 to 5 files behind one claim URL, e.g. instructions plus data plus an attachment. Returns claim_url and the file manifest (names, sizes, sha256).",
        "Text files: put the text in content and omit encoding. Binary files (images, PDFs, archives, anything not UTF-8 text): base64-encode the bytes into content and set encoding to \"base64\".",
        "Each name must be a plain file name, unique in the package; role tells the consumer what each file is for.",
        CLAIM_URL_IS_SECRET,
        "By default the package burns after the first claim (max_retrievals 1) and expires after 1 hour (ttl_seconds 3600).",
        LIMITS,
        "The size limit counts decoded bytes of all files together.",
      ].join(" "),
      inputSchema: schema.sendFilesInput,
      outputSchema: schema.sentOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const files = args.files.map((file) => ({
          name: file.name,
          content: file.content,
          contentType: file.content_type,
          ...(file.role ? { role: file.role } : {}),
          ...(file.encoding ? { encoding: file.encoding } : {}),
        }));
        const sent = await access.producer().sendFiles({ files, ttlSeconds: args.ttl_seconds, maxRetrievals: args.max_retrievals, metadata: asMetadata(args.metadata) });
        return presentSent(sent);
      }),
  );

  server.registerTool(
    "kubbi_inspect",
    {
      title: "Inspect a kubbi without claiming it",
      description: [
        "Look at a kubbi by its claim URL without consuming it: status (active, burned, expired, deleted), whether it is one payload or a package, sizes, the file manifest (names, content types, sha256), metadata, remaining_reads and expires_at.",
        "Free and safe: it never counts as a retrieval and never burns anything, and it needs no API key.",
        "Call it before kubbi_claim whenever you are not sure you should claim yet: to check what a claim URL holds, whether it is still active, or whether claiming it would burn it (remaining_reads 1).",
      ].join(" "),
      inputSchema: schema.claimUrlInput,
      outputSchema: schema.inspectOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) => run(async () => presentInspect(await access.inspect(args.claim_url))),
  );

  server.registerTool(
    "kubbi_claim",
    {
      title: "Claim a kubbi's content",
      description: [
        "Retrieve the content behind a claim URL. This counts as a retrieval and may be destructive: when it is the last one allowed (remaining_reads 1, the usual case), the kubbi burns in the same step and nobody, you included, can claim it again.",
        "So claim only when you are the intended consumer and ready to use the content, claim it once, and keep what you get. If unsure, call kubbi_inspect first (it is free).",
        "A single payload comes back in content: text, or the parsed JSON value for application/json. A package comes back in files: each file's content is UTF-8 text (encoding null) or base64 (encoding \"base64\") for binary files; sha256 lets you verify the bytes.",
        "A kubbi that is gone returns an error whose code says why: burned, expired or deleted; an unknown URL is not_found. Needs no API key.",
      ].join(" "),
      inputSchema: schema.claimUrlInput,
      outputSchema: schema.claimOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    (args) => run(async () => presentClaim(await access.claim(args.claim_url))),
  );

  server.registerTool(
    "kubbi_get",
    {
      title: "Get one of your kubbis",
      description: [
        "The status of a kubbi you sent, by id: active, burned, expired or deleted, retrieval_count, remaining_reads, and when it was first and last claimed.",
        "Use it to check whether the consumer has claimed your handoff yet. It never shows the content and never counts as a retrieval.",
        "Works for about 7 days after a kubbi is gone. Needs the API key that created it.",
      ].join(" "),
      inputSchema: schema.idInput,
      outputSchema: schema.detailOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) => run(async () => presentDetail(await access.producer().get(args.id))),
  );

  server.registerTool(
    "kubbi_list",
    {
      title: "List your kubbis",
      description:
        "The kubbis sent with this API key, newest first, with their status and retrieval counts (never their content). Paged: page from 1, limit up to 100.",
      inputSchema: schema.listInput,
      outputSchema: schema.listOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) => run(async () => presentList(await access.producer().list({ page: args.page, limit: args.limit }))),
  );

  server.registerTool(
    "kubbi_delete",
    {
      title: "Delete one of your kubbis",
      description: [
        "Delete a kubbi you sent, by id: its content is wiped at once and its claim URL stops working (claims get the error deleted). Cannot be undone.",
        "Use it to revoke a handoff that went to the wrong place or is no longer needed. A kubbi that is already burned, expired or deleted gives the error conflict.",
      ].join(" "),
      inputSchema: schema.idInput,
      outputSchema: schema.deleteOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const deleted = await access.producer().delete(args.id);
        return { id: deleted.id, status: deleted.status };
      }),
  );
}
