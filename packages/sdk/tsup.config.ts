import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts", "wire-codec": "src/wire-codec.ts", envelope: "src/envelope.ts" },
  format: ["esm", "cjs"],
  dts: {
    // The wire types and constants come from the private @kubbi/openapi package. Mapping the imports to its
    // files makes the declaration bundler treat them as our own source and inline them, so the published
    // types stand alone. (Its runtime constants are bundled the same way: tsup inlines devDependencies.)
    compilerOptions: {
      paths: {
        "@kubbi/openapi": ["../openapi/src/index.ts"],
        "@kubbi/openapi/schema": ["../openapi/src/generated/schema.d.ts"],
      },
    },
  },
  target: "es2022",
  platform: "neutral",
  clean: true,
  treeshake: true,
  splitting: false,
});
