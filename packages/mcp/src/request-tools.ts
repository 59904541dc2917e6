/**
 * Request links for the stdio server only (docs/request-links.md): kubbi_request asks a person for a secret
 * through a fill URL the user opens, and kubbi_receive writes the delivery to disk. The request's private
 * key stays in this process; the delivery is decrypted here and written with the safe writer, so the secret
 * never enters the model's context. The HTTP /mcp endpoint offers neither: it runs on the kubbi server,
 * and a private key held there (or returned to the model) would defeat the end-to-end encryption.
 */
import { KubbiUsageError, type RequestHandle, type RequestParams } from "@kubbi.ai/sdk";
import { z } from "zod";
import type { LocalFiles } from "./local-files.js";
import { ToolError } from "./results.js";
import { claimOutput } from "./schemas.js";
import type { KubbiTool } from "./tools.js";

/** What kubbi_request needs: a producer client that makes the key pair and keeps the handle. */
export interface RequestAccess {
  request(params: RequestParams): Promise<{ fillUrl: string; handle: RequestHandle }>;
}

const STRICT = "Arguments are camelCase exactly as listed; any other argument is refused.";
/** The longest one kubbi_receive call waits, so a call never hangs the client for long. */
const MAX_WAIT_SECONDS = 300;

const requestInput = z.strictObject({
  description: z
    .string()
    .min(1)
    .max(500)
    .describe(
      'Shown to the person who fills the request: what you need and why, e.g. "the staging DB password, to run the migration". Never put a secret here.',
    ),
  kind: z
    .enum(["content", "files"])
    .default("content")
    .describe('"content": one text (a password, a token); "files": up to maxFiles files.'),
  maxFiles: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('For kind "files": how many files at most (default: the plan\'s limit, 5 on the hosted service).'),
  requestTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(3600)
    .describe("How long the fill URL accepts a delivery. Default 3600."),
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .default(3600)
    .describe("How long the delivery then waits to be received. Default 3600."),
});

const requestOutput = z.object({
  requestId: z.string().describe("Pass it to kubbi_receive."),
  fillUrl: z
    .string()
    .describe(
      "Show this URL to the user to open in a browser. It is not content for you: do not fetch it, summarise it or post it anywhere else.",
    ),
  expiresAt: z.string(),
  instructions: z.string(),
});

const receiveInput = z.strictObject({
  requestId: z.string().min(1).describe("The requestId from kubbi_request."),
  saveTo: z
    .string()
    .min(1)
    .describe(
      "A new directory inside the client's roots to write the delivery to: the result carries only names, paths and sizes, never the secret.",
    ),
  waitSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .default(60)
    .describe(`How long to wait for the delivery, 0 to ${MAX_WAIT_SECONDS} seconds. Default 60.`),
});

/** Either what was written (the claim fields), or only the status when nothing was delivered yet. */
const receiveOutput = claimOutput.partial().extend({
  requestId: z.string(),
  status: z
    .enum(["open", "fulfilling", "fulfilled", "expired", "cancelled"])
    .describe(
      '"fulfilled": written to savedTo. "open": nothing yet, call again later. "expired"/"cancelled": it will never come.',
    ),
});

const tool = <Input extends z.ZodType, Output extends z.ZodType>(definition: KubbiTool<Input, Output>) =>
  definition as unknown as KubbiTool;

export function requestTools(access: RequestAccess, files: LocalFiles, pollIntervalMs = 2000): KubbiTool[] {
  // The private keys of this process's requests, by request id: they never leave this process.
  const handles = new Map<string, RequestHandle>();

  return [
    tool({
      name: "kubbi_request",
      title: "Ask the user for a secret or files through a link",
      description: [
        "Ask a person for a secret (a password, an API token) or files WITHOUT it passing through this conversation: returns a fillUrl for the user to open in a browser, where they paste or pick it; it is encrypted in their browser for a key held only by this local server.",
        "Show the fillUrl to the user (it is a link for them, not content for you), then call kubbi_receive with the requestId and a saveTo directory: the delivery is written to disk and never enters your context.",
        "Never ask the user to paste a secret into the chat; use this instead.",
        STRICT,
      ].join(" "),
      input: requestInput,
      output: requestOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      run: async (args) => {
        const { fillUrl, handle } = await access.request({
          description: args.description,
          kind: args.kind,
          ...(args.maxFiles === undefined ? {} : { maxFiles: args.maxFiles }),
          requestTtlSeconds: args.requestTtlSeconds,
          ttlSeconds: args.ttlSeconds,
          maxRetrievals: 1,
        });
        handles.set(handle.id, handle);
        const { expiresAt } = await handle.status();
        return {
          requestId: handle.id,
          fillUrl,
          expiresAt,
          instructions:
            "Show fillUrl to the user and ask them to open it; then call kubbi_receive({ requestId, saveTo }).",
        };
      },
    }),

    tool({
      name: "kubbi_receive",
      title: "Receive what the user delivered to a kubbi_request",
      description: [
        "Waits (up to waitSeconds) for the delivery to a kubbi_request made by this server, decrypts it here and writes it into saveTo (a new directory inside the client's roots). The result names the files written, their paths and sizes: never the content.",
        'A text delivery is written as content.txt. If nothing arrived yet the result has status "open": call it again later.',
        STRICT,
      ].join(" "),
      input: receiveInput,
      output: receiveOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      run: async (args) => {
        const handle = handles.get(args.requestId);
        if (!handle)
          throw new KubbiUsageError(
            "No request with this id was made by this server (a request's key lives only as long as the server process)",
          );
        const directory = await files.prepareSaveTo(args.saveTo, []);
        const status = await waitFor(handle, args.waitSeconds, pollIntervalMs);
        if (status !== "fulfilled") return { requestId: handle.id, status };
        const claimed = await handle.claim();
        handles.delete(handle.id);
        const saved = await files.save(claimed, directory).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          throw new ToolError(
            "save_failed",
            `The delivery was received but could not be written to ${directory}: ${reason}`,
          );
        });
        return { ...saved, requestId: handle.id, status };
      },
    }),
  ];
}

/** Polls until fulfilled, closed, or the wait is over; returns the last status. */
async function waitFor(handle: RequestHandle, waitSeconds: number, pollIntervalMs: number) {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const { status } = await handle.status();
    if (status !== "open" && status !== "fulfilling") return status;
    if (Date.now() + pollIntervalMs > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}
