import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubbiUsageError } from "../../src/index.js";
import {
  checkClaimedFileNames,
  isKubbiWriteRefusedError,
  unsafeFileNameReason,
  writeClaimedPackage,
} from "../../src/node.js";
import type { ClaimedFile, ClaimedPackage } from "../../src/types.js";

function file(name: string, text: string): ClaimedFile {
  return {
    name,
    contentType: "text/plain",
    sizeBytes: text.length,
    role: null,
    sha256: "",
    bytes: new TextEncoder().encode(text),
    text,
  };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

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

  it.each([
    "../escape.txt",
    "..",
    ".",
    "",
    "a/b.txt",
    "a\\b.txt",
    "/etc/passwd",
    "C:evil",
    "nul\u0000.txt",
    "bell\u0007",
    "CON",
    "lpt1.txt",
    "x".repeat(256),
    // C1 controls (U+009B is CSI), bidirectional overrides, invisible and line-separator characters, and
    // a name within 255 characters but over 255 UTF-8 bytes.
    "csi\u009b31m.txt",
    "invoice\u202efdp.exe",
    "a\u200bb.txt",
    "tag\u{e0041}.txt",
    "line\u2028.txt",
    "é".repeat(128),
  ])("refuses the name %j and writes nothing at all", async (name) => {
    await expect(
      writeClaimedPackage(claimedPackage(file("first.txt", "ok"), file(name, "evil")), target),
    ).rejects.toBeInstanceOf(KubbiUsageError);
    await expect(readdir(target)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readdir(root)).toEqual([]);
  });

  it("refuses names that collide, case-insensitively or after NFC normalization", async () => {
    await expect(
      writeClaimedPackage(claimedPackage(file("Report.md", "1"), file("report.md", "2")), target),
    ).rejects.toThrow(/twice/);
    await expect(
      writeClaimedPackage(claimedPackage(file("caf\u00e9.txt", "1"), file("cafe\u0301.txt", "2")), target),
    ).rejects.toThrow(/twice/);
    expect(await readdir(root)).toEqual([]);
  });

  it("refuses bytes that do not match the sha256 the API sent, writing nothing", async () => {
    const good = { ...file("good.txt", "good"), sha256: sha256("good") };
    const tampered = { ...file("tampered.txt", "tampered"), sha256: sha256("original") };
    await expect(writeClaimedPackage(claimedPackage(good, tampered), target)).rejects.toThrow(
      /"tampered.txt" do not match the sha256/,
    );
    expect(await readdir(root)).toEqual([]);
    expect(await writeClaimedPackage(claimedPackage(good), target)).toEqual([join(target, "good.txt")]);
  });

  describe("names that tools load or run by themselves (a producer's .npmrc next to a JS file)", () => {
    const UNSAFE = [
      ".npmrc",
      ".yarnrc.yml",
      ".pnpmfile.cjs",
      ".envrc",
      ".env",
      ".gitattributes",
      ".git",
      ".bashrc",
      ".profile",
      ".tool-versions",
      ".vscode",
      "package.json",
      "Makefile",
      "makefile",
      "GNUmakefile",
      "Justfile",
      "Rakefile",
      "Gemfile",
      "setup.py",
      "pyproject.toml",
      "pytest.ini",
      "conftest.py",
      "Conftest.PY",
      "sitecustomize.py",
      "usercustomize.py",
      "evil.pth",
      "vite.config.ts",
      "jest.config.js",
      "karma.conf.js",
      "gulpfile.js",
      "build.rs",
      "docker-compose.yml",
      "desktop.ini",
      "autorun.inf",
      "shortcut.lnk",
      // Every other name and pattern the README lists.
      ".yarnrc",
      ".idea",
      "Taskfile.yml",
      "Taskfile.yaml",
      "Vagrantfile",
      "Tiltfile",
      "bunfig.toml",
      "deno.json",
      "deno.jsonc",
      "Cargo.toml",
      "build.gradle",
      "build.gradle.kts",
      "settings.gradle",
      "settings.gradle.kts",
      "gradlew",
      "pom.xml",
      "build.sbt",
      "CMakeLists.txt",
      "meson.build",
      "setup.cfg",
      "tox.ini",
      "noxfile.py",
      "compose.yml",
      "compose.yaml",
      "docker-compose.yaml",
      "eslint.config.mjs",
      "Gruntfile.js",
      "Jakefile",
      "x.url",
      "x.scf",
      "x.library-ms",
      "x.searchConnector-ms",
      // As Windows stores them (trailing dots and spaces dropped), and NFC-normalized (U+212A KELVIN SIGN is K).
      "Makefile.",
      "conftest.py ",
      "Ma\u212Aefile",
    ];

    it.each(UNSAFE)("refuses %j by default, before writing anything", async (name) => {
      expect(unsafeFileNameReason(name)).toEqual(expect.any(String));
      const refused = await writeClaimedPackage(
        claimedPackage(file("index.js", "require('x')"), file(name, "evil")),
        target,
      ).catch((e: unknown) => e);
      expect(isKubbiWriteRefusedError(refused) && refused.reason).toBe("unsafe_name");
      expect(refused).toBeInstanceOf(KubbiUsageError);
      expect(await readdir(root)).toEqual([]);
    });

    it.each([
      "README.md",
      "config.json",
      "data.csv",
      "index.js",
      "notes.txt",
      "Makefile.md",
      "package-notes.json",
      "report.pdf",
      "conftest.txt",
    ])("writes the ordinary name %j", (name) => {
      expect(unsafeFileNameReason(name)).toBeNull();
    });

    it("writes them with allowUnsafeNames", async () => {
      const written = await writeClaimedPackage(
        claimedPackage(file(".npmrc", "registry=x"), file("Makefile", "all:")),
        target,
        { allowUnsafeNames: true },
      );
      expect(written).toEqual([join(target, ".npmrc"), join(target, "Makefile")]);
      expect(await readFile(join(target, ".npmrc"), "utf8")).toBe("registry=x");
    });

    it("still refuses names that are not plain with allowUnsafeNames", async () => {
      await expect(
        writeClaimedPackage(claimedPackage(file("../.npmrc", "x")), target, { allowUnsafeNames: true }),
      ).rejects.toMatchObject({ reason: "invalid_name" });
    });
  });

  describe("newDirectory", () => {
    it("creates the directory for this package alone, private to the user", async () => {
      await writeClaimedPackage(claimedPackage(file("a.txt", "a")), target, { newDirectory: true });
      expect(await readdir(target)).toEqual(["a.txt"]);
      expect((await lstat(target)).mode & 0o777).toBe(0o700);
    });

    it("refuses a directory that exists, even an empty one, even with overwrite", async () => {
      await mkdir(target);
      for (const options of [{ newDirectory: true }, { newDirectory: true, overwrite: true }]) {
        const refused = await writeClaimedPackage(claimedPackage(file("a.txt", "a")), target, options).catch(
          (e: unknown) => e,
        );
        expect(isKubbiWriteRefusedError(refused) && refused.reason).toBe("directory_exists");
      }
      await expect(checkClaimedFileNames(target, ["a.txt"], { newDirectory: true })).rejects.toMatchObject({
        reason: "directory_exists",
      });
      expect(await readdir(target)).toEqual([]);
    });
  });

  describe("with files already there", () => {
    beforeEach(async () => {
      await writeClaimedPackage(claimedPackage(file("keep.txt", "original")), target);
    });

    it("refuses to overwrite by default and writes none of the package", async () => {
      await expect(
        writeClaimedPackage(claimedPackage(file("new.txt", "n"), file("keep.txt", "replaced")), target),
      ).rejects.toThrow(/already exists/);
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
      await expect(writeClaimedPackage(claimedPackage(file("link.txt", "pwned")), target)).rejects.toThrow(
        /already exists/,
      );
      await expect(writeClaimedPackage(claimedPackage(file("dangling.txt", "pwned")), target)).rejects.toThrow(
        /already exists/,
      );
      await expect(lstat(join(root, "does-not-exist.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("are replaced, not followed, with overwrite", async () => {
      await writeClaimedPackage(claimedPackage(file("link.txt", "new"), file("dangling.txt", "new")), target, {
        overwrite: true,
      });
      for (const name of ["link.txt", "dangling.txt"]) {
        expect((await lstat(join(target, name))).isSymbolicLink()).toBe(false);
        expect(await readFile(join(target, name), "utf8")).toBe("new");
      }
      await expect(lstat(join(root, "does-not-exist.txt"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(readlink(join(target, "link.txt"))).rejects.toMatchObject({ code: "EINVAL" });
    });
  });
});
