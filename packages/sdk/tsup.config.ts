import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts", "wire-codec": "src/wire-codec.ts", envelope: "src/envelope.ts" },
  format: ["esm", "cjs"],
  dts: {
    // The wire types come from the private @kubbi/openapi package. Mapping the import to the file makes the
    // declaration bundler treat it as our own source and inline it, so the published types stand alone.
    compilerOptions: {
      paths: { "@kubbi/openapi/schema": ["./node_modules/@kubbi/openapi/src/generated/schema.d.ts"] },
    },
  },
  target: "es2022",
  platform: "neutral",
  clean: true,
  treeshake: true,
  splitting: false,
});
