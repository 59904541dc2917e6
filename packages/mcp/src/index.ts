export { createKubbiMcpServer, type KubbiMcpServerOptions } from "./server.js";
export type { ToolErrorBody } from "./results.js";
