import { hash } from "node:crypto";
import type { ClaimFile, CreatedFile, ManifestEntry as WireManifestEntry } from "@kubbi/openapi";
import type { FileInput, SingleInput } from "../validation/create-kubbi.js";

/**
 * What the file manifest says of one file: shown by inspect before anything is claimed. Never a
 * content hash: anyone holding the claim URL could inspect for free and test guesses of a short
 * file (a PIN, a password) offline against it.
 */
export type ManifestEntry = WireManifestEntry;

/** A file with the SHA-256 of its bytes: told to the producer at creation and to the consumer at claim, never stored. */
export type HashedFile = CreatedFile;

export type ClaimedFile = ClaimFile;

const sha256Hex = (bytes: Buffer) => hash("sha256", bytes, "hex");

/** The bytes of a single payload: UTF-8 text, or JSON text for application/json. */
export function encodeSingle(input: SingleInput): Buffer {
  if (input.content_type === "application/json" && typeof input.content !== "string") {
    return Buffer.from(JSON.stringify(input.content), "utf8");
  }
  return Buffer.from(input.content as string, "utf8");
}

export function decodeSingle(bytes: Buffer, contentType: string): unknown {
  const text = bytes.toString("utf8");
  return contentType === "application/json" ? JSON.parse(text) : text;
}

/** A package's payload is its files' decoded bytes end to end; the manifest's sizes split them again. */
export function encodePackage(files: FileInput[]): { payload: Buffer; files: HashedFile[] } {
  const encodingOf = (file: FileInput) => (file.encoding === "base64" ? "base64" : "utf8");
  // Decode straight into one buffer: no per-file copies to concatenate afterwards.
  const payload = Buffer.allocUnsafe(
    files.reduce((sum, file) => sum + Buffer.byteLength(file.content, encodingOf(file)), 0),
  );
  let offset = 0;
  const hashed = files.map((file) => {
    const size = payload.write(file.content, offset, encodingOf(file));
    const bytes = payload.subarray(offset, offset + size);
    offset += size;
    return {
      name: file.name,
      content_type: file.content_type,
      size_bytes: size,
      role: file.role ?? null,
      sha256: sha256Hex(bytes),
    };
  });
  return { payload: payload.subarray(0, offset), files: hashed };
}

/** The manifest as stored and inspected: a file's description without its hash. */
export const manifestEntry = ({ name, content_type, size_bytes, role }: ManifestEntry): ManifestEntry => ({
  name,
  content_type,
  size_bytes,
  role,
});

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** text/*, application/json and +json types travel as text, as long as their bytes are valid UTF-8. */
function isTextual(contentType: string): boolean {
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return essence.startsWith("text/") || essence === "application/json" || essence.endsWith("+json");
}

export function decodePackage(payload: Buffer, manifest: ManifestEntry[]): ClaimedFile[] {
  // A manifest that does not add up to the payload (one missing, say) must fail the claim, which is
  // then rolled back, rather than serve a package with files left out.
  if (manifest.length === 0 || manifest.reduce((sum, entry) => sum + entry.size_bytes, 0) !== payload.length) {
    throw new Error("the package manifest does not describe its payload");
  }
  let offset = 0;
  return manifest.map((entry) => {
    const bytes = payload.subarray(offset, offset + entry.size_bytes);
    offset += entry.size_bytes;
    const file = { ...manifestEntry(entry), sha256: sha256Hex(bytes) };
    if (isTextual(entry.content_type)) {
      try {
        return { ...file, content: strictUtf8.decode(bytes), encoding: null } satisfies ClaimedFile;
      } catch {
        // Not valid UTF-8 despite a textual type: base64 keeps it byte-exact.
      }
    }
    return { ...file, content: bytes.toString("base64"), encoding: "base64" } satisfies ClaimedFile;
  });
}
