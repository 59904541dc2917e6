/**
 * Tool results. Success carries the structured output and the same JSON as text, for hosts that show
 * only text. Any failure, an API error above all, becomes a tool error the model can read and act on:
 * the error code, its message, and a hint what to do next. It never escapes as a protocol error.
 */
import {
  isKubbiApiError,
  isKubbiNetworkError,
  isKubbiOriginNotAllowedError,
  isKubbiUsageError,
  type KubbiErrorCode,
} from "@kubbi.ai/sdk";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A failure the tools themselves detect, with its own code. */
export class ToolError extends Error {
  constructor(
    readonly code: "invalid_arguments" | "save_failed",
    message: string,
    readonly messages: readonly string[] = [],
  ) {
    super(message);
  }
}

export function toolSuccess(output: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(output, null, 2) }], structuredContent: output };
}

export interface ToolErrorBody {
  error: {
    code: string;
    message: string;
    status?: number;
    messages?: readonly string[];
    request_id?: string | null;
    hint?: string;
  };
}

/** The codes only the tools themselves give (the API's codes come from the contract). */
type ToolCode = ToolError["code"] | "origin_not_allowed" | "usage_error" | "network_error";

/** A hint for every code: a code the spec adds without a hint here fails to compile. */
const HINTS: Record<KubbiErrorCode | ToolCode, string> = {
  invalid_arguments:
    "Fix the named arguments (camelCase, exactly as the tool's input schema lists them) and call the tool again.",
  save_failed:
    "The claim happened, so its content may be gone: ask the producer to send it again, and choose a new saveTo directory.",
  burned: "The kubbi was claimed as many times as allowed and its content is gone. Ask the producer to send a new one.",
  expired: "The kubbi's TTL ran out before it was claimed. Ask the producer to send a new one.",
  deleted: "The producer deleted this kubbi. Ask the producer to send a new one if it is still needed.",
  not_found: "No kubbi has this claim URL or id (or it belongs to another API key). Check it was copied exactly.",
  unauthorized: "The kubbi API key is missing, malformed, unknown or revoked.",
  validation_error: "Fix the listed fields and call the tool again.",
  invalid_json: "The request body was not valid JSON: send the arguments again as plain JSON values.",
  payload_too_large: "Send less data: split it across several kubbis, or compress it.",
  file_limit_exceeded: "Send fewer files per package, or several packages.",
  unsupported_media_type:
    "The server refused the request's content type: report this, it is a bug in the tool or server.",
  quota_exceeded: "Too many active kubbis for this key: delete ones no longer needed, or wait for them to expire.",
  rate_limited: "Too many requests: wait a little and try again.",
  conflict: "The kubbi (or request) is no longer active, so there is nothing to delete or cancel.",
  already_fulfilled:
    "This request link was already used for a delivery: it takes one. Ask the requester for a new link.",
  cancelled: "The requester cancelled this request. Ask them for a new link if it is still needed.",
  method_not_allowed:
    "The server does not offer this operation at this URL: check the server is a kubbi API of this version.",
  request_timeout:
    "The request body arrived too slowly and was cut off: send it again on a faster link, or send less data.",
  idempotency_in_progress: "The same send is still being processed: wait a moment and call the tool again.",
  idempotency_key_reused: "This idempotency key was used for a different send: send again without reusing it.",
  decrypt_failed:
    "The server could not open this kubbi with its keys; nothing was consumed. Tell the operator: the same claim works again once the server's key is back.",
  internal_error: "The kubbi server failed: try again later, and report it if it persists.",
  service_unavailable: "The kubbi server is not ready (its storage may be down): try again in a little while.",
  origin_not_allowed: "This server only claims URLs of its own kubbi API; the URL names another host.",
  usage_error: "The tool refused the request before sending it: fix what the message names.",
  network_error: "The kubbi server could not be reached: check the network or the server, then try again.",
};

export function toolError(error: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(describeError(error), null, 2) }], isError: true };
}

function describeError(error: unknown): ToolErrorBody {
  if (error instanceof ToolError) {
    return withHint({
      code: error.code,
      message: error.message,
      ...(error.messages.length > 1 ? { messages: error.messages } : {}),
    });
  }
  if (isKubbiApiError(error)) {
    return withHint({
      code: error.code,
      message: error.message,
      status: error.status,
      ...(error.messages.length > 0 ? { messages: error.messages } : {}),
      request_id: error.requestId,
    });
  }
  if (isKubbiOriginNotAllowedError(error)) return withHint({ code: "origin_not_allowed", message: error.message });
  if (isKubbiUsageError(error)) return withHint({ code: "usage_error", message: error.message });
  if (isKubbiNetworkError(error)) return withHint({ code: "network_error", message: error.message });
  return withHint({ code: "internal_error", message: error instanceof Error ? error.message : String(error) });
}

function withHint(error: ToolErrorBody["error"]): ToolErrorBody {
  const hint = (HINTS as Record<string, string>)[error.code];
  return { error: hint ? { ...error, hint } : error };
}
