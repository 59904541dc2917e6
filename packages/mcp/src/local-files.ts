/**
 * File paths for the stdio server, so a secret can travel without entering the model's context:
 * kubbi_send_files reads a `path`, kubbi_claim writes to `saveTo`. Both are confined to the client's
 * roots (MCP roots/list), or to the directories the server was started with when the client has none.
 * Symlinks are resolved before the check, and the resolved path is the one read or written.
 */
import { realpath, readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { KubbiUsageError, type ClaimResult, type ClaimedKubbi, type ClaimedPackage } from "@kubbi.ai/sdk";
import { checkClaimedFileNames, singlePayloadAsPackage, writeClaimedPackage } from "@kubbi.ai/sdk/node";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { claimCommon } from "./present.js";
import type { ClaimOutput } from "./schemas.js";

export class LocalFiles {
  constructor(
    private readonly server: Server,
    /** Used when the client exposes no roots: from the command line or KUBBI_MCP_ROOTS. */
    private readonly fallbackRoots: readonly string[],
  ) {}

  /** Reads a file inside the roots. */
  async read(path: string): Promise<Uint8Array> {
    const real = await this.#confine(path);
    const found = await stat(real).catch(() => undefined);
    if (!found?.isFile()) throw new KubbiUsageError(`${path} is not a regular file`);
    return readFile(real);
  }

  /**
   * Everything that can refuse a `saveTo` before the claim, which may burn the kubbi: inside the roots,
   * a directory that does not exist yet, and file names the safe writer accepts (from a free inspect).
   * Returns the directory to write to.
   */
  async prepareSaveTo(saveTo: string, names: readonly string[]): Promise<string> {
    const directory = await this.#confine(saveTo);
    await checkClaimedFileNames(directory, names, { newDirectory: true });
    return directory;
  }

  /**
   * Writes a claimed kubbi into `directory` with the SDK's safe writer: a package file by file, a single
   * payload as content.txt or content.json. The result names paths, sizes and hashes, never the content.
   */
  async save(claimed: ClaimResult, directory: string): Promise<ClaimOutput> {
    const asPackage = claimed.type === "kubbi_package" ? claimed : singleAsPackage(claimed);
    const paths = await writeClaimedPackage(asPackage, directory, { newDirectory: true });
    const files = asPackage.files.map((file, index) => ({
      name: file.name,
      contentType: file.contentType,
      sizeBytes: file.sizeBytes,
      role: file.role,
      sha256: file.sha256,
      path: paths[index]!,
    }));
    return {
      ...claimCommon(claimed),
      savedTo: directory,
      fileCount: files.length,
      totalSizeBytes: asPackage.totalSizeBytes,
      files,
    };
  }

  /** The real path of `path` (resolved against the first root when relative), refused unless inside a root. */
  async #confine(path: string): Promise<string> {
    const roots = await this.#roots();
    if (roots.length === 0) {
      throw new KubbiUsageError(
        "No roots to read or write files in: the client exposes none, and the server was started without directories (arguments or KUBBI_MCP_ROOTS)",
      );
    }
    const real = await realpathAllowingMissing(isAbsolute(path) ? path : resolve(roots[0]!, path)).catch(
      (error: NodeJS.ErrnoException) => {
        throw new KubbiUsageError(`${path} cannot be used: ${error.code ?? error.message}`);
      },
    );
    if (!roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) {
      throw new KubbiUsageError(`${path} is outside the allowed roots (${roots.join(", ")})`);
    }
    return real;
  }

  /** The client's roots when it has any, else the fallback; each resolved to its real path. */
  async #roots(): Promise<string[]> {
    let roots = this.fallbackRoots;
    if (this.server.getClientCapabilities()?.roots) {
      const listed = await this.server.listRoots();
      roots = listed.roots.filter((root) => root.uri.startsWith("file://")).map((root) => fileURLToPath(root.uri));
    }
    const real = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
    return real.filter((root): root is string => root !== undefined);
  }
}

/** The real path of the deepest existing ancestor, plus the part that does not exist yet. */
async function realpathAllowingMissing(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(absolute) === absolute) throw error;
    return join(await realpathAllowingMissing(dirname(absolute)), basename(absolute));
  }
}

/** A single payload as a one-file package, so the one safe writer handles both. */
function singleAsPackage(claimed: ClaimedKubbi): ClaimedPackage {
  const isJson = claimed.contentType === "application/json";
  return singlePayloadAsPackage(
    claimed,
    isJson ? "content.json" : "content.txt",
    isJson ? JSON.stringify(claimed.content) : String(claimed.content),
  );
}
