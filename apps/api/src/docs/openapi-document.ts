import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse } from "yaml";

/**
 * The contract the API serves at /openapi.json: packages/openapi/openapi.yaml, the single source of
 * truth, read once at start-up and served as JSON (what renderers and code generators expect).
 */
export function loadOpenApiJson(): Buffer {
  const specPath = createRequire(import.meta.url).resolve("@kubbi/openapi/openapi.yaml");
  return Buffer.from(JSON.stringify(parse(readFileSync(specPath, "utf8"))));
}
