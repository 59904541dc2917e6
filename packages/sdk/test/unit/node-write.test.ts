import { lstat, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubbiUsageError } from "../../src/index.js";
import { writeClaimedPackage } from "../../src/node.js";
import type { ClaimedFile, ClaimedPackage } from "../../src/types.js";

function file(name: string, text: string): ClaimedFile {
  return { name, contentType: "text/plain", sizeBytes: text.length, role: null, sha256: "", bytes: new TextEncoder().encode(text), text };
}

function claimedPackage(...files: ClaimedFile[]): ClaimedPackage {
  return {
    type: "kubbi_package",
    kubbiId: "p1",
    fileCount: files.length,
    totalSizeBytes: 0,
    files,
    metadata: null,
    createdAt: "2026-03-28T12:00:00.000Z",
    expiresAt: "2026-03-28T13:00:00.000Z",
    retrievalCount: 1,
    remainingReads: 0,
    burned: true,
  };
}

let root: string;
let target: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "kubbi-write-"));
  target = join(root, "out");
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("writeClaimedPackage", () => {
  it("writes every file's bytes into the directory, creating it", async () => {
    const binary: ClaimedFile = { ...file("logo.png", ""), text: null, bytes: new Uint8Array([0, 255, 1]) };
    const written = await writeClaimedPackage(claimedPackage(file("a.txt", "alpha"), binary), target);
    expect(written).toEqual([join(target, "a.txt"), join(target, "logo.png")]);
    expect(await readFile(join(target, "a.txt"), "utf8")).toBe("alpha");
    expect(new Uint8Array(await readFile(join(target, "logo.png")))).toEqual(new Uint8Array([0, 255, 1]));
  });

  it.each(["../escape.txt", "..", ".", "", "a/b.txt", "a\\b.txt", "/etc/passwd", "C:evil", "nul\u0000.txt", "bell\u0007", "CON", "lpt1.txt", "x".repeat(256)])(
    "refuses the name %j and writes nothing at all",
    async (name) => {
      await expect(writeClaimedPackage(claimedPackage(file("first.txt", "ok"), file(name, "evil")), target)).rejects.toBeInstanceOf(KubbiUsageError);
      await expect(readdir(target)).rejects.toMatchObject({ code: "ENOENT" });
      expect(await readdir(root)).toEqual([]);
    },
  );

  it("refuses names that collide, case-insensitively", async () => {
    await expect(writeClaimedPackage(claimedPackage(file("Report.md", "1"), file("report.md", "2")), target)).rejects.toThrow(/twice/);
  });

  describe("with files already there", () => {
    beforeEach(async () => {
      await writeClaimedPackage(claimedPackage(file("keep.txt", "original")), target);
    });

    it("refuses to overwrite by default and writes none of the package", async () => {
      await expect(writeClaimedPackage(claimedPackage(file("new.txt", "n"), file("keep.txt", "replaced")), target)).rejects.toThrow(/already exists/);
      expect(await readFile(join(target, "keep.txt"), "utf8")).toBe("original");
      expect((await readdir(target)).sort()).toEqual(["keep.txt"]);
    });

    it("overwrites when asked", async () => {
      await writeClaimedPackage(claimedPackage(file("keep.txt", "replaced")), target, { overwrite: true });
      expect(await readFile(join(target, "keep.txt"), "utf8")).toBe("replaced");
      expect(await readdir(target)).toEqual(["keep.txt"]);
    });
  });

  describe("symlinks planted in the directory", () => {
    let outside: string;
    beforeEach(async () => {
      outside = join(root, "outside.txt");
      await writeFile(outside, "precious");
      await writeClaimedPackage(claimedPackage(), target);
      await symlink(outside, join(target, "link.txt"));
      await symlink(join(root, "does-not-exist.txt"), join(target, "dangling.txt"));
    });
    afterEach(async () => {
      expect(await readFile(outside, "utf8")).toBe("precious");
    });

    it("are never written through without overwrite", async () => {
      await expect(writeClaimedPackage(claimedPackage(file("link.txt", "pwned")), target)).rejects.toThrow(/already exists/);
      await expect(writeClaimedPackage(claimedPackage(file("dangling.txt", "pwned")), target)).rejects.toThrow(/already exists/);
      await expect(lstat(join(root, "does-not-exist.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("are replaced, not followed, with overwrite", async () => {
      await writeClaimedPackage(claimedPackage(file("link.txt", "new"), file("dangling.txt", "new")), target, { overwrite: true });
      for (const name of ["link.txt", "dangling.txt"]) {
        expect((await lstat(join(target, name))).isSymbolicLink()).toBe(false);
        expect(await readFile(join(target, name), "utf8")).toBe("new");
      }
      await expect(lstat(join(root, "does-not-exist.txt"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(readlink(join(target, "link.txt"))).rejects.toMatchObject({ code: "EINVAL" });
    });
  });
});
