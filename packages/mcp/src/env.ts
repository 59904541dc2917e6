import { DEFAULT_BASE_URL } from "@kubbi.ai/sdk";
import type { KubbiMcpServerOptions } from "./server.js";

/** Server options from KUBBI_API_KEY, KUBBI_BASE_URL and KUBBI_ALLOWED_ORIGINS (comma-separated). */
export function optionsFromEnv(env: NodeJS.ProcessEnv): KubbiMcpServerOptions {
  const allowedOrigins = (env.KUBBI_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return { apiKey: env.KUBBI_API_KEY || undefined, baseUrl: env.KUBBI_BASE_URL || DEFAULT_BASE_URL, allowedOrigins };
}
