/**
 * The kubbi MCP server. Built on the SDK's low-level Server so this package owns argument validation:
 * every tools/call is parsed by the tool's strict schema here (unknown arguments refused with a
 * did-you-mean, see arguments.ts) and every failure is a tool error in one JSON shape.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import packageJson from "../package.json" with { type: "json" };
import type { KubbiAccess } from "./access.js";
import { parseArguments } from "./arguments.js";
import { LocalFiles } from "./local-files.js";
import { requestTools, type RequestAccess } from "./request-tools.js";
import { toolError, toolSuccess } from "./results.js";
import { kubbiTools, type KubbiTool } from "./tools.js";

export interface KubbiMcpServerOptions {
  /** How the tools reach kubbi: `SdkAccess` for a remote API, or the API's in-process adapter. */
  access: KubbiAccess;
  /**
   * Offer file paths (kubbi_send_files `path`, kubbi_claim `saveTo`), confined to the client's roots or,
   * when it has none, to these directories. Only for a server on the user's own machine (stdio);
   * leave it out for a remote endpoint, whose tools then have no file arguments at all.
   */
  localFiles?: { roots: readonly string[] };
  /**
   * Offer kubbi_request and kubbi_receive (with localFiles only): the requests' private keys live in this
   * process. Never for a remote endpoint (see request-tools.ts).
   */
  requests?: RequestAccess;
  /** Between status checks while kubbi_receive waits. Default 2000. */
  requestPollIntervalMs?: number;
}

const INSTRUCTIONS = [
  "kubbi hands secrets, payloads and files between agents, scripts and people through claim URLs that expire and can burn after reading.",
  "To hand something off: kubbi_send (text or JSON) or kubbi_send_files (files), then pass on the claimUrl.",
  "To receive: kubbi_inspect a claim URL first when unsure (free), then kubbi_claim it once (it may burn).",
].join(" ");

/** An MCP server with every kubbi tool, not yet connected to a transport. */
export function createKubbiMcpServer(options: KubbiMcpServerOptions): Server {
  const server = new Server(
    { name: "kubbi", title: "kubbi", version: packageJson.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const files = options.localFiles ? new LocalFiles(server, options.localFiles.roots) : undefined;
  const requests =
    options.requests && files ? requestTools(options.requests, files, options.requestPollIntervalMs) : [];
  const tools = new Map([...kubbiTools(options.access, files), ...requests].map((tool) => [tool.name, tool]));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...tools.values()].map(describeTool) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.get(request.params.name);
    if (!tool)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${request.params.name}; the tools are ${[...tools.keys()].join(", ")}`,
      );
    try {
      return toolSuccess(
        (await tool.run(parseArguments(tool.input, request.params.arguments))) as Record<string, unknown>,
      );
    } catch (error) {
      return toolError(error);
    }
  });
  return server;
}

function describeTool(tool: KubbiTool) {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    // draft-07, as the MCP SDK itself renders zod schemas; strict inputs carry additionalProperties: false.
    inputSchema: z.toJSONSchema(tool.input, { target: "draft-7", io: "input" }) as { type: "object" },
    outputSchema: z.toJSONSchema(tool.output, { target: "draft-7", io: "output" }) as { type: "object" },
    annotations: tool.annotations,
  };
}
