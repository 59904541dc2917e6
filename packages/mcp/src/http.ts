/**
 * The kubbi tools over MCP Streamable HTTP, for mounting inside the kubbi API at /mcp. Stateless: every
 * POST gets its own server and transport over the caller's own access, so nothing is shared between
 * requests or keys. Authentication, rate limits and the request body belong to the mount point: the
 * handler takes the JSON body already parsed (and size-limited) and never reads the stream itself.
 * The tools it serves have no file paths: a remote server has no business with the client's disk.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { KubbiAccess } from "./access.js";
import { createKubbiMcpServer } from "./server.js";

/** A Node request whose JSON body an upstream parser (express.json) already read. */
export type McpHttpRequest = IncomingMessage & { body?: unknown };
export type McpHttpHandler = (req: McpHttpRequest, res: ServerResponse) => Promise<void>;

export interface McpHttpHandlerOptions {
  /** The tools' access to kubbi for this request, e.g. the API's services for the authenticated key. */
  access(req: McpHttpRequest, res: ServerResponse): KubbiAccess;
  /**
   * DNS-rebinding protection: the Host header values (host:port) this endpoint answers, and the browser
   * Origins it accepts (a request without Origin, as from any non-browser client, is not refused for it).
   */
  allowedHosts(req: McpHttpRequest): string[];
  allowedOrigins(req: McpHttpRequest): string[];
}

export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  return async (req, res) => {
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream (GET) and no session to end (DELETE).
      res.setHeader("Allow", "POST");
      return sendJsonRpcError(
        res,
        405,
        -32000,
        "Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it.",
      );
    }
    if (req.body === undefined)
      return sendJsonRpcError(res, 400, -32700, "Parse error: send the JSON-RPC message as an application/json body.");

    const server = createKubbiMcpServer({ access: options.access(req, res) });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      enableDnsRebindingProtection: true,
      allowedHosts: options.allowedHosts(req),
      allowedOrigins: options.allowedOrigins(req),
    });
    res.once("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
