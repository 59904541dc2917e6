import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hkdfSha256 } from "../src/crypto/hkdf.js";
import { randomBytesPooled } from "../src/crypto/random.js";
import { hashApiKey, hashClaimToken, newClaimToken } from "../src/crypto/tokens.js";
import { DecryptError, infoKey, open, seal } from "../src/crypto/seal.js";
import { decodePackage, encodePackage } from "../src/services/payload.js";

describe("crypto building blocks", () => {
  it("hkdfSha256 is byte for byte crypto.hkdfSync, with and without salt", () => {
    for (let i = 0; i < 50; i++) {
      const ikm = randomBytes(1 + (i % 64));
      const salt = i % 2 ? randomBytes(32) : Buffer.alloc(0);
      const info = `kubbi/test/${i}`;
      expect(hkdfSha256(ikm, salt, info).equals(Buffer.from(hkdfSync("sha256", ikm, salt, info, 32)))).toBe(true);
    }
  });

  it("info keys, with the extract step kept per epoch key, are byte for byte crypto.hkdfSync, kubbi after kubbi", () => {
    const epochKeys = [randomBytes(32), randomBytes(32)];
    for (let i = 0; i < 20; i++) {
      const epochKey = epochKeys[i % 2]!;
      const info = `kubbi/info/kubbi-${i}`;
      const expected = Buffer.from(hkdfSync("sha256", epochKey, Buffer.alloc(0), info, 32));
      expect(infoKey(epochKey, `kubbi-${i}`).equals(expected)).toBe(true);
    }
  });

  it("stored hashes keep their form: a claim token's is 22 characters of base64url SHA-256, an API key's hex SHA-256", () => {
    // Known answers (SHA-256 of the ASCII text): a change here would orphan every stored kubbi and key.
    const token = "A".repeat(43);
    expect(hashClaimToken(token)).toBe(createHash("sha256").update(token, "utf8").digest("base64url").slice(0, 22));
    expect(hashClaimToken("abc".padEnd(43, "x"))).toHaveLength(22);
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashClaimToken("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7");
  });

  it("pooled random bytes are never handed out twice, never aliased, and look uniform", () => {
    const tokens = new Set(Array.from({ length: 5000 }, () => newClaimToken()));
    expect(tokens.size).toBe(5000);
    const first = randomBytesPooled(32);
    const copy = Buffer.from(first);
    const second = randomBytesPooled(32);
    first.fill(0);
    expect(second.equals(Buffer.alloc(32))).toBe(false);
    expect(copy.equals(second)).toBe(false);
    const sample = Buffer.concat(Array.from({ length: 4000 }, () => randomBytesPooled(16)));
    const ones = [...sample].reduce((count, byte) => count + byte.toString(2).split("1").length - 1, 0);
    expect(ones / (sample.length * 8)).toBeGreaterThan(0.49);
    expect(ones / (sample.length * 8)).toBeLessThan(0.51);
  });

  it("a claim token never begins with a dash, so a bare token is never read as a command-line option", () => {
    // 10,000 draws: without the redraw about 156 would begin with "-" (1 in 64), and every first character else occurs.
    const tokens = Array.from({ length: 10_000 }, () => newClaimToken());
    expect(tokens.filter((token) => token.startsWith("-"))).toEqual([]);
    expect(tokens.every((token) => /^[A-Za-z0-9_-]{43}$/.test(token))).toBe(true);
    expect(new Set(tokens.map((token) => token[0])).size).toBe(63);
  });

  it("seal and open round-trip every size around the slice boundary; any flipped byte fails", () => {
    const key = randomBytes(32);
    for (const size of [0, 1, 15, 16, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const plaintext = randomBytes(size);
      const sealed = seal(key, plaintext, "kubbi-id");
      expect(sealed.length).toBe(size + 29);
      expect(open(key, sealed, "kubbi-id").equals(plaintext)).toBe(true);
    }
    const sealed = seal(key, Buffer.from("authenticated"), "kubbi-id");
    for (let index = 0; index < sealed.length; index++) {
      const tampered = Buffer.from(sealed);
      tampered[index]! ^= 0x01;
      expect(() => open(key, tampered, "kubbi-id")).toThrow(DecryptError);
    }
    expect(() => open(key, sealed, "another-id")).toThrow(DecryptError);
    expect(() => open(randomBytes(32), sealed, "kubbi-id")).toThrow(DecryptError);
  });

  it("decodePackage refuses a manifest that does not add up to the payload, rather than leave files out", () => {
    const { payload, files } = encodePackage([
      { name: "a.txt", content: "one", content_type: "text/plain" },
      { name: "b.txt", content: "two", content_type: "text/plain" },
    ]);
    expect(decodePackage(payload, files).map((file) => file.content)).toEqual(["one", "two"]);
    expect(() => decodePackage(payload, files.slice(0, 1))).toThrow(/manifest does not describe its payload/);
    expect(() => decodePackage(payload, [])).toThrow(/manifest does not describe its payload/);
  });

  it("encodePackage lays files end to end with sizes and hashes of the decoded bytes", () => {
    const binary = randomBytes(1000);
    const { payload, files } = encodePackage([
      { name: "a.txt", content: "héllo", content_type: "text/plain" },
      {
        name: "b.bin",
        content: binary.toString("base64"),
        content_type: "application/octet-stream",
        encoding: "base64",
      },
    ]);
    expect(files.map((entry) => entry.size_bytes)).toEqual([6, 1000]);
    expect(payload.subarray(0, 6).toString("utf8")).toBe("héllo");
    expect(payload.subarray(6).equals(binary)).toBe(true);
  });
});
