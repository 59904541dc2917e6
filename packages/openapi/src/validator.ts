// Checks real response bodies against openapi.yaml, so tests catch drift between the API and its
// contract. Kept apart from index.ts so type-only consumers never load Ajv.
import { readFileSync } from "node:fs";
import { Ajv2020, type AnySchema, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

export interface ResponseCheck {
  ok: boolean;
  /** One line per problem; empty when `ok`. */
  errors: string;
}

export interface ResponseValidator {
  /**
   * Validates `body` against the `application/json` schema the spec gives for this operation and
   * status. `pathTemplate` is the spec's path key, e.g. `/api/v1/kubbis/{id}`. An operation or
   * status the spec does not document is a failure, not an exception: it is drift too.
   */
  validateResponse(method: string, pathTemplate: string, status: number, body: unknown): ResponseCheck;
}

interface Reference {
  $ref: string;
}
interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
}
interface OperationObject {
  responses?: Record<string, ResponseObject | Reference>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

const SPEC_URL = new URL("../openapi.yaml", import.meta.url);
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
// Component schemas are registered once under this id, as $defs, and every ref points there.
const COMPONENTS_ID = "urn:kubbi:openapi:components";
const COMPONENT_SCHEMA_REF = "#/components/schemas/";

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

export function createResponseValidator(): ResponseValidator {
  const doc = parse(readFileSync(SPEC_URL, "utf8")) as OpenApiDocument;
  // strict: a typo'd keyword or format in the spec fails here instead of silently validating nothing.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  // The spec's own extension: ErrorCode's HTTP status per code, read by scripts/generate-types.mjs.
  ajv.addKeyword({ keyword: "x-http-status", schemaType: "object" });
  addFormats(ajv);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: pointRefsAtComponents(doc.components.schemas) });

  const validators = new Map<string, ValidateFunction>();
  for (const [pathTemplate, pathItem] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as OperationObject | undefined;
      for (const [status, responseOrRef] of Object.entries(operation?.responses ?? {})) {
        const schema = dereference<ResponseObject>(doc, responseOrRef).content?.["application/json"]?.schema;
        if (schema !== undefined) {
          validators.set(
            operationKey(method, pathTemplate, status),
            ajv.compile(pointRefsAtComponents(schema) as AnySchema),
          );
        }
      }
    }
  }

  return {
    validateResponse(method, pathTemplate, status, body) {
      const validate = validators.get(operationKey(method, pathTemplate, String(status)));
      if (validate === undefined) {
        return {
          ok: false,
          errors: `openapi.yaml documents no application/json response for ${operationKey(method, pathTemplate, String(status))}`,
        };
      }
      if (validate(body)) return { ok: true, errors: "" };
      return { ok: false, errors: formatErrors(validate.errors ?? []) };
    },
  };
}

function operationKey(method: string, pathTemplate: string, status: string): string {
  return `${method.toUpperCase()} ${pathTemplate} ${status}`;
}

/** Follows a local `$ref` (responses may be shared components) to the object it names. */
function dereference<T>(doc: OpenApiDocument, value: T | Reference): T {
  if (typeof value !== "object" || value === null || !("$ref" in value)) return value;
  if (!value.$ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${value.$ref}`);
  let target: unknown = doc;
  for (const segment of value.$ref.slice(2).split("/")) {
    const key = segment.replaceAll("~1", "/").replaceAll("~0", "~");
    target = (target as Record<string, unknown> | undefined)?.[key];
  }
  if (target === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
  return dereference(doc, target as T | Reference);
}

/** Deep copy with every `#/components/schemas/X` ref rewritten to the registered `$defs/X`. */
function pointRefsAtComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointRefsAtComponents);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === "$ref" && typeof inner === "string" && inner.startsWith(COMPONENT_SCHEMA_REF)
        ? [key, `${COMPONENTS_ID}#/$defs/${inner.slice(COMPONENT_SCHEMA_REF.length)}`]
        : [key, pointRefsAtComponents(inner)],
    ),
  );
}

function formatErrors(errors: ErrorObject[]): string {
  return errors
    .map((error) => `body${error.instancePath} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`)
    .join("\n");
}
