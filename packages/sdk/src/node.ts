/**
 * Node-only: writes a claimed package into a directory. File names come from whoever created the
 * kubbi, so each must be a plain name that lands directly inside the directory and is not one that
 * tools load or run by themselves (file-names.ts); nothing is overwritten unless asked, an existing
 * symlink is replaced, never followed, and every file's bytes must match the sha256 the API sent.
 */
import { createHash, randomUUID } from "node:crypto";
import { lstat, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { KubbiError, KubbiUsageError } from "./errors.js";
import { unsafeFileNameReason } from "./file-names.js";
import type { ClaimedFile, ClaimedKubbi, ClaimedPackage } from "./types.js";

export { unsafeFileNameReason } from "./file-names.js";

export interface SafeFilePathOptions {
  /**
   * Allow names that tools load or run by themselves (dotfiles, Makefile, package.json, conftest.py, ...;
   * see `unsafeFileNameReason`). Default false: such a name is refused.
   */
  allowUnsafeNames?: boolean;
}

export interface WriteClaimedPackageOptions extends SafeFilePathOptions {
  /** Replace files that already exist. Default false: an existing file is an error and nothing is written. */
  overwrite?: boolean;
  /**
   * The directory must not exist yet: it is created (mode 0700) for this package alone, and an existing
   * one is an error. Default false: the directory is created if missing and may hold other files.
   */
  newDirectory?: boolean;
}

/** Why a write was refused: callers (the CLI, an MCP server) say what to change for each. */
export type WriteRefusal = "invalid_name" | "unsafe_name" | "duplicate_name" | "file_exists" | "directory_exists";

/** Nothing was written: a name is not a plain or not a safe file name, or its target already exists. */
export class KubbiWriteRefusedError extends KubbiUsageError {
  static override readonly kind: string = "KubbiWriteRefusedError";
  constructor(
    readonly reason: WriteRefusal,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isKubbiWriteRefusedError(value: unknown): value is KubbiWriteRefusedError {
  return value instanceof KubbiWriteRefusedError;
}

// Windows device names are refused everywhere so a package behaves the same on every machine.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
// Path separators, the drive and stream separator, and control, format (bidirectional, invisible) and
// line-separator characters: a name with one is not a plain name, or shows as another (U+202E: "…exe.pdf").
const NOT_PLAIN = /[/\\:\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const MAX_NAME_BYTES = 255;

/**
 * Checks a file name from a package; returns the path it may be written to inside `directory`.
 * Throws KubbiWriteRefusedError for a name that is not a plain file name, or (unless allowed) an unsafe one.
 */
export function safeFilePath(directory: string, name: string, options: SafeFilePathOptions = {}): string {
  const invalid =
    name.length === 0 ||
    new TextEncoder().encode(name).length > MAX_NAME_BYTES ||
    name === "." ||
    name === ".." ||
    NOT_PLAIN.test(name) ||
    RESERVED.test(name) ||
    basename(name) !== name;
  if (invalid)
    throw new KubbiWriteRefusedError(
      "invalid_name",
      `Refusing to write a file named ${JSON.stringify(name)}: not a plain file name`,
    );
  const unsafe = options.allowUnsafeNames ? null : unsafeFileNameReason(name);
  if (unsafe !== null)
    throw new KubbiWriteRefusedError(
      "unsafe_name",
      `Refusing to write a file named ${JSON.stringify(name)}: ${unsafe}`,
    );
  const root = resolve(directory);
  const path = join(root, name);
  if (resolve(path, "..") !== root)
    throw new KubbiWriteRefusedError("invalid_name", `Refusing to write ${JSON.stringify(name)} outside ${root}`);
  return path;
}

/**
 * Every check `writeClaimedPackage` makes before it writes, for names known before claiming (an inspect's
 * manifest): each name is safe, no two collide, and the directory (with `newDirectory`) or the files
 * (without `overwrite`) do not exist yet. Returns the paths the files would get; writes nothing.
 */
export async function checkClaimedFileNames(
  directory: string,
  names: readonly string[],
  options: WriteClaimedPackageOptions = {},
): Promise<string[]> {
  const seen = new Set<string>();
  const paths = names.map((name) => {
    const path = safeFilePath(directory, name, options);
    // Folded as case-insensitive and normalizing file systems (macOS, Windows) would, so such twins are caught too.
    const key = name.normalize("NFC").toLowerCase();
    if (seen.has(key))
      throw new KubbiWriteRefusedError("duplicate_name", `The package names ${JSON.stringify(name)} twice`);
    seen.add(key);
    return path;
  });
  if (options.newDirectory) {
    if (await exists(directory)) throw directoryExists(directory);
  } else if (!options.overwrite) {
    for (const path of paths) if (await exists(path)) throw fileExists(path);
  }
  return paths;
}

/**
 * A claimed single payload as a one-file package holding `text` (UTF-8) under `name`, so that
 * `writeClaimedPackage` writes it with the same checks as any package.
 */
export function singlePayloadAsPackage(claimed: ClaimedKubbi, name: string, text: string): ClaimedPackage {
  const { type: _single, content: _content, contentType, ...common } = claimed;
  const bytes = new TextEncoder().encode(text);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const file: ClaimedFile = { name, contentType, sizeBytes: bytes.length, role: null, sha256, bytes, text };
  return { ...common, type: "kubbi_package", fileCount: 1, totalSizeBytes: bytes.length, files: [file] };
}

/**
 * Writes every file of a claimed package into `directory` and returns the paths written. Every check
 * (`checkClaimedFileNames`, and each file's bytes against its sha256) passes before anything is written.
 */
export async function writeClaimedPackage(
  claimed: ClaimedPackage,
  directory: string,
  options: WriteClaimedPackageOptions = {},
): Promise<string[]> {
  const paths = await checkClaimedFileNames(
    directory,
    claimed.files.map((file) => file.name),
    options,
  );
  for (const file of claimed.files) verifyDigest(file);
  if (options.newDirectory) {
    await mkdir(directory, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === "EEXIST" ? directoryExists(directory, error) : error;
    });
  } else {
    await mkdir(directory, { recursive: true });
  }
  const written: string[] = [];
  for (const [index, file] of claimed.files.entries()) {
    const path = paths[index]!;
    await (options.overwrite ? replaceFile(path, file) : createFile(path, file));
    written.push(path);
  }
  return written;
}

/**
 * The API sends each claimed file's sha256: bytes that do not match it are never written. This guards
 * against corruption on the way, not against the server (which could send a matching hash for any bytes),
 * so a claim that carries none (an older server) is written unchecked.
 */
function verifyDigest(file: ClaimedFile): void {
  if (!file.sha256) return;
  const actual = createHash("sha256").update(file.bytes).digest("hex");
  if (actual !== file.sha256.toLowerCase()) {
    throw new KubbiError(
      `The bytes of ${JSON.stringify(file.name)} do not match the sha256 the API sent with them; nothing was written`,
    );
  }
}

/** O_CREAT|O_EXCL: fails on any existing entry, a dangling symlink included, and never follows one. */
async function createFile(path: string, file: ClaimedFile): Promise<void> {
  const handle = await open(path, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "EEXIST" ? fileExists(path, error) : error;
  });
  try {
    await handle.writeFile(file.bytes);
  } finally {
    await handle.close();
  }
}

/** Writes beside the target, then renames over it: rename replaces a symlink itself rather than writing through it. */
async function replaceFile(path: string, file: ClaimedFile): Promise<void> {
  const temporary = join(dirname(path), `.kubbi-${randomUUID()}.partial`);
  await createFile(temporary, file);
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function fileExists(path: string, cause?: unknown): KubbiWriteRefusedError {
  return new KubbiWriteRefusedError("file_exists", `${path} already exists`, { cause });
}

function directoryExists(directory: string, cause?: unknown): KubbiWriteRefusedError {
  return new KubbiWriteRefusedError("directory_exists", `${resolve(directory)} already exists`, { cause });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
