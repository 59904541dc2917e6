// Runs worker.mjs in workerd through miniflare: node test/runtimes/miniflare.mjs <baseUrl> <apiKey>
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const [baseUrl, apiKey] = process.argv.slice(2);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const mf = new Miniflare({
  modules: true,
  modulesRoot: packageDir,
  // dist/index.js is ESM (the package is "type": "module"); miniflare would take a .js file for CommonJS.
  modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }],
  scriptPath: resolve(packageDir, "test/runtimes/worker.mjs"),
  compatibilityDate: "2024-09-23",
  bindings: { KUBBI_BASE_URL: baseUrl, KUBBI_API_KEY: apiKey },
});
try {
  const response = await mf.dispatchFetch("http://worker.local/");
  const text = await response.text();
  if (!response.ok) throw new Error(`worker failed (${response.status}): ${text}`);
  console.log(text);
} finally {
  await mf.dispose();
}
