/** The MCP tools every transport serves (the API's /mcp, the package's HTTP and stdio servers), sorted by name. */
export const MCP_TOOL_NAMES = [
  "kubbi_claim",
  "kubbi_delete",
  "kubbi_get",
  "kubbi_inspect",
  "kubbi_list",
  "kubbi_send",
  "kubbi_send_files",
];

/** stdio adds the request-link tools, whose private keys live in its process (never over HTTP). */
export const MCP_STDIO_TOOL_NAMES = [...MCP_TOOL_NAMES, "kubbi_receive", "kubbi_request"].sort();
