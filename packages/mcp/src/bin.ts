#!/usr/bin/env node
/**
 * `npx @kubbi.ai/mcp [root directory ...]`: the kubbi tools over stdio. stdout carries the protocol, so
 * every log line goes to stderr.
 */
import { DEFAULT_BASE_URL } from "@kubbi.ai/sdk";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { SdkAccess } from "./access.js";
import { optionsFromEnv } from "./env.js";
import { createKubbiMcpServer } from "./server.js";

const log = (message: string) => process.stderr.write(`kubbi-mcp: ${message}\n`);

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env, process.argv.slice(2));
  const access = new SdkAccess(options);
  const server = createKubbiMcpServer({ access, requests: access, localFiles: { roots: options.roots } });
  await server.connect(new StdioServerTransport());
  const notes = [
    `serving over stdio for ${options.baseUrl}${options.apiKey ? "" : " (no KUBBI_API_KEY: only kubbi_inspect and kubbi_claim will work)"}`,
  ];
  if (options.apiKey && options.baseUrl === DEFAULT_BASE_URL) {
    // A self-hosted key sent to the hosted service by a forgotten KUBBI_BASE_URL should not go unnoticed.
    notes.push(
      `using the hosted kubbi at ${DEFAULT_BASE_URL} (the default): your key and payloads go there; set KUBBI_BASE_URL for a self-hosted kubbi`,
    );
  }
  // One write, so a reader never sees the first line without the second.
  log(notes.join("\nkubbi-mcp: "));
  const close = () => void server.close().finally(() => process.exit(0));
  process.stdin.once("end", close);
  process.once("SIGINT", close);
  process.once("SIGTERM", close);
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
