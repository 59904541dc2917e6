import { delimiter } from "node:path";
import { DEFAULT_BASE_URL } from "@kubbi.ai/sdk";
import type { SdkAccessOptions } from "./access.js";

export interface StdioOptions extends SdkAccessOptions {
  /** Where file paths may point when the client exposes no roots. */
  roots: string[];
}

const list = (value: string | undefined, separator: string) =>
  (value ?? "")
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/**
 * From KUBBI_API_KEY, KUBBI_BASE_URL, KUBBI_ALLOWED_ORIGINS (comma-separated), and the fallback roots:
 * the directories given as arguments, then KUBBI_MCP_ROOTS (separated like PATH).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv, args: readonly string[]): StdioOptions {
  return {
    apiKey: env.KUBBI_API_KEY || undefined,
    baseUrl: env.KUBBI_BASE_URL || DEFAULT_BASE_URL,
    allowedOrigins: list(env.KUBBI_ALLOWED_ORIGINS, ","),
    roots: [...args, ...list(env.KUBBI_MCP_ROOTS, delimiter)],
  };
}
