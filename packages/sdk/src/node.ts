/**
 * Node-only: writes a claimed package into a directory. File names come from whoever created the
 * kubbi, so each must be a plain name that lands directly inside the directory; nothing is
 * overwritten unless asked, and an existing symlink is replaced, never followed.
 */
import { randomUUID } from "node:crypto";
import { lstat, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { KubbiUsageError } from "./errors.js";
import type { ClaimedFile, ClaimedPackage } from "./types.js";

export interface WriteClaimedPackageOptions {
  /** Replace files that already exist. Default false: an existing file is an error and nothing is written. */
  overwrite?: boolean;
}

// Windows device names are refused everywhere so a package behaves the same on every machine.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** Checks a file name from a package; returns the path it may be written to inside `directory`. */
export function safeFilePath(directory: string, name: string): string {
  const invalid =
    name.length === 0 ||
    name.length > 255 ||
    name === "." ||
    name === ".." ||
    /[/\\:\u0000-\u001f\u007f]/.test(name) ||
    RESERVED.test(name) ||
    basename(name) !== name;
  if (invalid) throw new KubbiUsageError(`Refusing to write a file named ${JSON.stringify(name)}: not a plain file name`);
  const root = resolve(directory);
  const path = join(root, name);
  if (resolve(path, "..") !== root) throw new KubbiUsageError(`Refusing to write ${JSON.stringify(name)} outside ${root}`);
  return path;
}

/**
 * Writes every file of a claimed package into `directory` (created if missing) and returns the paths written.
 * All names, and without `overwrite` that none exists yet, are checked before anything is written.
 */
export async function writeClaimedPackage(
  claimed: ClaimedPackage,
  directory: string,
  options: WriteClaimedPackageOptions = {},
): Promise<string[]> {
  const seen = new Set<string>();
  const targets = claimed.files.map((file) => {
    const path = safeFilePath(directory, file.name);
    // Case-folded, so two names that collide on a case-insensitive file system are caught too.
    const key = file.name.toLowerCase();
    if (seen.has(key)) throw new KubbiUsageError(`The package names ${JSON.stringify(file.name)} twice`);
    seen.add(key);
    return { file, path };
  });
  if (!options.overwrite) {
    for (const { path } of targets) {
      if (await exists(path)) throw new KubbiUsageError(`${path} already exists; pass { overwrite: true } to replace it`);
    }
  }
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const { file, path } of targets) {
    await (options.overwrite ? replaceFile(path, file) : createFile(path, file));
    written.push(path);
  }
  return written;
}

/** O_CREAT|O_EXCL: fails on any existing entry, a dangling symlink included, and never follows one. */
async function createFile(path: string, file: ClaimedFile): Promise<void> {
  const handle = await open(path, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") throw new KubbiUsageError(`${path} already exists; pass { overwrite: true } to replace it`, { cause: error });
    throw error;
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

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
