/**
 * Strict tool arguments. A model that writes `ttl_seconds` instead of `ttlSeconds` must not get a kubbi
 * with the default TTL: every argument a tool does not define is refused, naming the argument and the
 * one it most likely meant, and every wrong type names the field and what was expected.
 */
import type { z } from "zod";
import { ToolError } from "./results.js";

export const argumentsError = (messages: readonly string[]) =>
  new ToolError("invalid_arguments", messages.join("; "), messages);

/** The arguments as the schema's output (defaults applied), or an invalid_arguments error listing every problem. */
export function parseArguments<Schema extends z.ZodType>(schema: Schema, args: unknown): z.output<Schema> {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  const messages: string[] = [];
  // An argument a misspelt one was meant as is "missing" too; the did-you-mean already says so.
  const suggested = new Set<string>();
  for (const issue of parsed.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const known = Object.keys(shapeAt(schema, issue.path) ?? {});
    for (const key of issue.keys) {
      const suggestion = closest(key, known);
      if (suggestion) suggested.add(dotted([...issue.path, suggestion]));
      messages.push(
        `unknown argument ${dotted([...issue.path, key])}${suggestion ? `; did you mean ${suggestion}?` : `; the arguments are ${known.join(", ")}`}`,
      );
    }
  }
  for (const issue of parsed.error.issues) {
    const where = dotted(issue.path);
    if (issue.code === "unrecognized_keys") continue;
    if (issue.code !== "invalid_type") messages.push(`${where || "arguments"}: ${issue.message}`);
    else if (valueAt(args, issue.path) !== undefined)
      messages.push(`${where}: expected ${issue.expected}, got ${typeName(valueAt(args, issue.path))}`);
    else if (!suggested.has(where)) messages.push(`${where}: is required`);
  }
  throw argumentsError(messages);
}

/** The object shape a path points into, so an unknown key can be compared with its siblings. */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let current = unwrap(schema);
  for (const segment of path) {
    const def = current._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (def.type === "object" && typeof segment === "string" && def.shape?.[segment])
      current = unwrap(def.shape[segment]);
    else if (def.type === "array" && typeof segment === "number" && def.element) current = unwrap(def.element);
    else return undefined;
  }
  const def = current._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === "object" ? def.shape : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.ZodType };
    if (!def.innerType) return current;
    current = def.innerType;
  }
}

/** The defined name an unknown one most likely meant: its camelCase form, a case slip, or a near spelling. */
function closest(unknown: string, known: readonly string[]): string | undefined {
  const folded = (name: string) => name.replace(/[_-]/g, "").toLowerCase();
  const exact = known.find((name) => folded(name) === folded(unknown));
  if (exact) return exact;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(folded(unknown), folded(name));
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** files[0].contentType */
function dotted(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, segment) =>
      typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment),
    "",
  );
}
