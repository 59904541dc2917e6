/** The sealed-envelope format of request links, pinned by a test vector another language can check against. */
import { describe, expect, it } from "vitest";
import {
  EnvelopeError,
  claimTokenContext,
  decodeDelivery,
  deliveryContext,
  encodeDelivery,
  fromBase64Url,
  generateRequestKeyPair,
  openEnvelope,
  publicKeyFingerprint,
  sealEnvelope,
  toBase64Url,
} from "../../src/envelope.js";
import vector from "./envelope-vector.json" with { type: "json" };

describe("request envelope", () => {
  it("the test vector: fixed keys, nonce and plaintext seal to the exact envelope bytes, and open again", async () => {
    const plaintext = fromBase64Url(vector.plaintext);
    const sealed = await sealEnvelope(fromBase64Url(vector.recipientPublicKey), plaintext, vector.context, {
      ephemeralPrivateKey: vector.ephemeralPrivateKey,
      nonce: fromBase64Url(vector.nonce),
    });
    expect(toBase64Url(sealed)).toBe(vector.envelope);
    expect(vector.context).toBe(deliveryContext(vector.requestId));
    expect(toBase64Url(sealed.subarray(2, 67))).toBe(vector.ephemeralPublicKey);
    expect(await publicKeyFingerprint(fromBase64Url(vector.recipientPublicKey))).toBe(vector.fingerprint);
    const opened = await openEnvelope(vector.recipientPrivateKey, fromBase64Url(vector.envelope), vector.context);
    expect(toBase64Url(opened)).toBe(vector.plaintext);
    const delivery = decodeDelivery(opened);
    expect(
      delivery.kind === "files" && delivery.files.map((file) => [file.name, file.contentType, [...file.bytes]]),
    ).toEqual([
      ["db-password.txt", "text/plain", [...new TextEncoder().encode("hunter2")]],
      ["key.bin", "application/octet-stream", [0, 255, 1, 254]],
    ]);
  });

  it("refuses another request's context, another key, and any changed byte", async () => {
    const envelope = fromBase64Url(vector.envelope);
    await expect(
      openEnvelope(vector.recipientPrivateKey, envelope, deliveryContext("00000000-0000-4000-8000-000000000002")),
    ).rejects.toThrow(EnvelopeError);
    await expect(
      openEnvelope(vector.recipientPrivateKey, envelope, claimTokenContext(vector.requestId)),
    ).rejects.toThrow(EnvelopeError);
    await expect(openEnvelope((await generateRequestKeyPair()).privateKey, envelope, vector.context)).rejects.toThrow(
      EnvelopeError,
    );
    for (const index of [1, 10, 70, envelope.length - 1]) {
      const altered = envelope.slice();
      altered[index]! ^= 1;
      await expect(openEnvelope(vector.recipientPrivateKey, altered, vector.context)).rejects.toThrow(EnvelopeError);
    }
  });

  it("fresh keys: a text delivery round-trips, and two seals of the same plaintext differ", async () => {
    const pair = await generateRequestKeyPair();
    const plaintext = encodeDelivery({
      kind: "content",
      contentType: "text/plain",
      bytes: new TextEncoder().encode("s3cret ✓"),
    });
    const one = await sealEnvelope(pair.publicKey, plaintext, deliveryContext("r1"));
    const two = await sealEnvelope(pair.publicKey, plaintext, deliveryContext("r1"));
    expect(toBase64Url(one)).not.toBe(toBase64Url(two));
    const delivery = decodeDelivery(await openEnvelope(pair.privateKey, one, deliveryContext("r1")));
    expect(delivery.kind === "content" && [delivery.contentType, new TextDecoder().decode(delivery.bytes)]).toEqual([
      "text/plain",
      "s3cret ✓",
    ]);
  });

  it("refuses a public key that is not a P-256 point", async () => {
    const bad = fromBase64Url(vector.recipientPublicKey);
    bad[40]! ^= 1;
    await expect(sealEnvelope(bad, new Uint8Array(1), "x")).rejects.toThrow(EnvelopeError);
    await expect(sealEnvelope(new Uint8Array(33), new Uint8Array(1), "x")).rejects.toThrow(EnvelopeError);
  });

  it("refuses a malformed delivery header", () => {
    expect(() => decodeDelivery(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(EnvelopeError);
    const lying = encodeDelivery({
      kind: "files",
      files: [{ name: "a", contentType: "text/plain", bytes: new Uint8Array(3) }],
    });
    expect(() => decodeDelivery(lying.subarray(0, lying.length - 1))).toThrow(EnvelopeError);
  });
});
