import { defineConfig } from "tsup";

export default defineConfig({
  // Separate entries so the stdio bin never loads the HTTP transport, and the HTTP handler never loads stdio.
  entry: { index: "src/index.ts", http: "src/http.ts", bin: "src/bin.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", http: "src/http.ts" } },
  target: "node20",
  platform: "node",
  clean: true,
  splitting: true,
  sourcemap: true,
});
