/**
 * The kubbi tools over MCP Streamable HTTP, for mounting inside the kubbi API at /mcp. Stateless: every
 * POST gets its own server and transport, built for the caller's own API key, so nothing is shared
 * between requests or between keys.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { KubbiClient, isKubbiAuthenticationError, type FetchLike } from "@kubbi.ai/sdk";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createKubbiMcpServer } from "./server.js";

export interface McpHttpHandlerOptions {
  /**
   * Where the tools send their API requests: the API's own origin. Claim URLs must name it (or `allowedOrigins`).
   * A function is read per request, for a server that learns its URL only once it listens.
   */
  baseUrl: string | (() => string);
  /** Further origins a claim URL may name, e.g. the public URL when `baseUrl` is an internal address. */
  allowedOrigins?: readonly string[] | (() => readonly string[]);
  /**
   * Decides whether a well-formed key is a live one. The API passes its own key check here; without it the
   * handler asks the API (one GET /api/v1/kubbis?limit=1 per MCP request).
   */
  verifyApiKey?: (apiKey: string) => boolean | Promise<boolean>;
  /** Largest JSON-RPC body read when no body parser ran first. Default 16 MiB: a 10 MB package, base64-encoded, fits. */
  maxRequestBodyBytes?: number;
  fetch?: FetchLike;
}

/** A Node request, optionally with a body an upstream JSON parser (express.json) already read. */
export type McpHttpRequest = IncomingMessage & { body?: unknown };
export type McpHttpHandler = (req: McpHttpRequest, res: ServerResponse) => Promise<void>;

// The API's own shape check; whether the key is live is verified below.
const API_KEY = /^kb_[A-Za-z0-9_-]{43,128}$/;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const verify = options.verifyApiKey ?? verifyWithApi(options);
  return async (req, res) => {
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream (GET) and no session to end (DELETE).
      res.setHeader("Allow", "POST");
      return sendJsonRpcError(res, 405, -32000, "Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it.");
    }
    try {
      const apiKey = bearerToken(req.headers.authorization);
      if (apiKey === null || !API_KEY.test(apiKey) || !(await verify(apiKey))) return sendUnauthorized(res);

      const server = createKubbiMcpServer({ baseUrl: current(options.baseUrl), apiKey, allowedOrigins: current(options.allowedOrigins), fetch: options.fetch });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: options.maxRequestBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      });
      res.once("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      // A key check that failed (its store unreachable, say) or a transport fault: never a stack trace.
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, "Internal error");
      else res.destroy(error instanceof Error ? error : undefined);
    }
  };
}

const current = <T>(value: T | (() => T)): T => (typeof value === "function" ? (value as () => T)() : value);

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/** Asks the API whether it knows the key: any answer but 401/403 means it does. */
function verifyWithApi(options: McpHttpHandlerOptions): (apiKey: string) => Promise<boolean> {
  return async (apiKey) => {
    const client = new KubbiClient({ apiKey, baseUrl: current(options.baseUrl), fetch: options.fetch, maxRetries: 0 });
    try {
      await client.list({ limit: 1 });
      return true;
    } catch (error) {
      // Other failures (rate limit, API trouble) are the tools' to report, with their own codes.
      return !isKubbiAuthenticationError(error);
    }
  };
}

/** The API's own error envelope, and the challenge MCP clients look for. */
function sendUnauthorized(res: ServerResponse): void {
  const requestId = res.getHeader("x-request-id");
  res.statusCode = 401;
  res.setHeader("WWW-Authenticate", 'Bearer realm="kubbi"');
  res.setHeader("Content-Type", "application/json");
  res.end(
    JSON.stringify({
      error: "unauthorized",
      message: "Send your kubbi API key as Authorization: Bearer kb_…",
      messages: [],
      request_id: typeof requestId === "string" ? requestId : null,
    }),
  );
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
