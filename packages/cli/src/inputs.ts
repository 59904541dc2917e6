/** Reads what `kubbi send` was given (files, or stdin as `-`) and works out how each should travel. */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { CliError, ExitCode } from "./exit-codes.js";

export interface Input {
  /** The name it gets in a package: the file's base name, or --name / "stdin" for stdin. */
  name: string;
  bytes: Uint8Array;
  /** The bytes as text when they are valid UTF-8, else null. */
  text: string | null;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
  ".html": "text/html",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".xml": "application/xml",
  ".toml": "application/toml",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tgz": "application/gzip",
  ".tar": "application/x-tar",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function asText(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export async function readInputs(
  paths: string[],
  stdin: NodeJS.ReadableStream,
  options: { stdinName?: string | undefined; contentType?: string | undefined },
): Promise<Input[]> {
  if (paths.filter((path) => path === "-").length > 1)
    throw new CliError("stdin (-) can be read only once", ExitCode.usage);
  return Promise.all(
    paths.map(async (path) => {
      const isStdin = path === "-";
      const bytes = isStdin
        ? await readAll(stdin)
        : await readFile(path).catch((error: NodeJS.ErrnoException) => {
            throw new CliError(`cannot read ${path}: ${error.code ?? error.message}`, ExitCode.usage);
          });
      const name = isStdin ? (options.stdinName ?? "stdin") : basename(path);
      const text = asText(bytes);
      const contentType =
        options.contentType ??
        CONTENT_TYPES[extname(name).toLowerCase()] ??
        (text === null ? "application/octet-stream" : "text/plain");
      return { name, bytes, text, contentType };
    }),
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Content types the API takes as a single payload: text, or JSON. */
export function isSinglePayloadType(contentType: string): contentType is "text/plain" | "application/json" {
  return contentType === "text/plain" || contentType === "application/json";
}

const mediaType = (contentType: string) => contentType.toLowerCase().split(";")[0]!.trim();

export function isJsonType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || type.endsWith("+json");
}

/** Text travels as text only when its content type says text; anything else travels as bytes (base64). */
export function travelsAsText(input: Input): boolean {
  return input.text !== null && (mediaType(input.contentType).startsWith("text/") || isJsonType(input.contentType));
}
