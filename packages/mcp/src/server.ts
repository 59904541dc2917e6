import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import packageJson from "../package.json" with { type: "json" };
import { KubbiAccess, type KubbiAccessOptions } from "./access.js";
import { registerKubbiTools } from "./tools.js";

export type KubbiMcpServerOptions = KubbiAccessOptions;

const INSTRUCTIONS = [
  "kubbi hands secrets, payloads and files between agents, scripts and people through claim URLs that expire and can burn after reading.",
  "To hand something off: kubbi_send (text or JSON) or kubbi_send_files (files, binary as base64), then pass on the claim_url.",
  "To receive: kubbi_inspect a claim URL first when unsure (free), then kubbi_claim it once (it may burn).",
].join(" ");

/** An MCP server with every kubbi tool, not yet connected to a transport. */
export function createKubbiMcpServer(options: KubbiMcpServerOptions): McpServer {
  const server = new McpServer({ name: "kubbi", title: "kubbi", version: packageJson.version }, { instructions: INSTRUCTIONS });
  registerKubbiTools(server, new KubbiAccess(options));
  return server;
}
