// @ts-check
/** Request bodies shared by the load generator, the baselines and the seeding, built once per process. */
import { randomBytes } from "node:crypto";

export const KIB = 1024;
export const MIB = 1024 * KIB;

/** Plain ASCII, so its UTF-8 and JSON forms are exactly `bytes` long with nothing to escape. */
export function asciiText(bytes) {
  const line = "kubbi bench: an agent hands this text to another agent. ";
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

export const CONTENT_1KB = asciiText(KIB);

/** A single 1 KB text/plain payload. */
export function single1kbBody({ maxRetrievals = null, ttlSeconds = 3600 } = {}) {
  return JSON.stringify({
    content: CONTENT_1KB,
    content_type: "text/plain",
    ttl_seconds: ttlSeconds,
    max_retrievals: maxRetrievals,
  });
}

/**
 * A package of `fileCount` files of `fileBytes` each: the first is binary (base64 on the wire, as
 * producers send archives), the rest ASCII text. Returns the body and the decoded payload size.
 */
export function packageBody(fileBytes, { fileCount = 5, maxRetrievals = 1, ttlSeconds = 3600 } = {}) {
  const text = asciiText(fileBytes);
  const files = Array.from({ length: fileCount }, (_, index) =>
    index === 0
      ? {
          name: "artifact.bin",
          content: randomBytes(fileBytes).toString("base64"),
          content_type: "application/octet-stream",
          role: "attachment",
          encoding: "base64",
        }
      : { name: `notes-${index}.txt`, content: text, content_type: "text/plain", role: "context" },
  );
  return {
    body: JSON.stringify({ files, ttl_seconds: ttlSeconds, max_retrievals: maxRetrievals }),
    payloadBytes: fileBytes * fileCount,
  };
}
