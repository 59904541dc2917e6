/** Turns the caller's files into the wire's: text stays UTF-8, everything binary becomes base64. */
import { bytesToBase64 } from "./base64.js";
import { KubbiUsageError } from "./errors.js";
import type { FileContent, FileInput } from "./types.js";
import type { WireCreateFile } from "./wire.js";

export async function toWireFile(file: FileInput): Promise<WireCreateFile> {
  const { content, encoding } = await encodeContent(file.content, file.encoding);
  const wire: WireCreateFile = { name: file.name, content, content_type: file.contentType };
  if (file.role !== undefined) wire.role = file.role;
  if (encoding !== undefined) wire.encoding = encoding;
  return wire;
}

async function encodeContent(
  content: FileContent,
  encoding: "base64" | undefined,
): Promise<{ content: string; encoding: "base64" | undefined }> {
  if (typeof content === "string") return { content, encoding };
  if (encoding !== undefined) {
    // "base64" describes a string the caller already encoded; binary content is encoded here.
    throw new KubbiUsageError('encoding: "base64" applies to string content only; pass binary content as is');
  }
  return { content: bytesToBase64(await toBytes(content)), encoding: "base64" };
}

export async function toBytes(content: Exclude<FileContent, string>): Promise<Uint8Array> {
  if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  if (typeof Blob !== "undefined" && content instanceof Blob) return new Uint8Array(await content.arrayBuffer());
  throw new KubbiUsageError("File content must be a string, Uint8Array, ArrayBuffer or Blob");
}
