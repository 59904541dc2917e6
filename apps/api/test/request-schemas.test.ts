import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { createKubbiSchemas } from "../src/validation/create-kubbi.js";

/**
 * The zod request rules and the spec's request schemas, compared through zod's JSON Schema output: the
 * fields, which are required, the enums and the bounds must be the same on both sides, so they cannot drift.
 */
const spec = parse(await readFile(createRequire(import.meta.url).resolve("@kubbi/openapi/openapi.yaml"), "utf8"));
const specSchemas = spec.components.schemas;
const schemas = createKubbiSchemas({ min: specSchemas.TtlSeconds.minimum, max: specSchemas.TtlSeconds.maximum });

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  [key: string]: unknown;
};
const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;

describe.each([
  ["CreateSingleRequest", () => toJson(schemas.single)],
  ["CreatePackageRequest", () => toJson(schemas.package)],
] as const)("zod's %s matches the spec's", (name, zodSchema) => {
  it("has the same fields, and requires the same ones", () => {
    const ours = zodSchema();
    const theirs = specSchemas[name] as JsonSchema;
    expect(Object.keys(ours.properties ?? {}).sort()).toEqual(Object.keys(theirs.properties ?? {}).sort());
    // A field zod takes as unknown (a single payload's content) is required by a refinement JSON Schema cannot show.
    const requiredByRefinement = Object.keys(ours.properties ?? {}).filter(
      (field) => JSON.stringify(ours.properties![field]) === "{}",
    );
    expect([...new Set([...(ours.required ?? []), ...requiredByRefinement])].sort()).toEqual(
      [...(theirs.required ?? [])].sort(),
    );
  });

  it("bounds ttl_seconds and max_retrievals as the spec does", () => {
    const ours = zodSchema().properties!;
    expect(ours.ttl_seconds).toMatchObject({
      minimum: specSchemas.TtlSeconds.minimum,
      maximum: specSchemas.TtlSeconds.maximum,
    });
    const maxRetrievals = JSON.stringify(ours.max_retrievals);
    expect(maxRetrievals).toContain(`"minimum":${specSchemas.MaxRetrievals.minimum}`);
    expect(maxRetrievals).toContain(`"maximum":${specSchemas.MaxRetrievals.maximum}`);
  });
});

it("a package file has the spec's fields, roles and encodings", () => {
  const file = toJson(schemas.package).properties!.files!.items!;
  const specFile = specSchemas.FileInput as JsonSchema;
  expect(Object.keys(file.properties!).sort()).toEqual(Object.keys(specFile.properties!).sort());
  expect([...file.required!].sort()).toEqual([...specFile.required!].sort());
  expect(JSON.stringify(file.properties!.role)).toContain(JSON.stringify(specSchemas.FileRole.enum));
});

it("a single payload's content types are the spec's", () => {
  expect(JSON.stringify(toJson(schemas.single).properties!.content_type)).toContain(
    JSON.stringify(specSchemas.SingleContentType.enum),
  );
});
