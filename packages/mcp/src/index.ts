export { createKubbiMcpServer, type KubbiMcpServerOptions } from "./server.js";
export { SdkAccess, type KubbiAccess, type SdkAccessOptions } from "./access.js";
export type { ToolErrorBody } from "./results.js";
