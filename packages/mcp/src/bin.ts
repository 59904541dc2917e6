#!/usr/bin/env node
/**
 * `npx @kubbi.ai/mcp`: the kubbi tools over stdio. stdout carries the protocol, so every log line goes to stderr.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { optionsFromEnv } from "./env.js";
import { createKubbiMcpServer } from "./server.js";

const log = (message: string) => process.stderr.write(`kubbi-mcp: ${message}\n`);

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const server = createKubbiMcpServer(options);
  await server.connect(new StdioServerTransport());
  log(`serving over stdio for ${options.baseUrl}${options.apiKey ? "" : " (no KUBBI_API_KEY: only kubbi_inspect and kubbi_claim will work)"}`);
  const close = () => void server.close().finally(() => process.exit(0));
  process.stdin.once("end", close);
  process.once("SIGINT", close);
  process.once("SIGTERM", close);
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
