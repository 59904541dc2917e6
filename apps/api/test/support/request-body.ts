import { generateKeyPairSync } from "node:crypto";

/** A fresh requester's P-256 public key as the API takes it: the raw uncompressed point (0x04 ‖ X ‖ Y), base64url. */
export function newRawPublicKey(): string {
  const spki = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
  // An SPKI of a P-256 key ends with the 65-byte point.
  return spki.subarray(-65).toString("base64url");
}

/** A valid POST /api/v1/requests body with a fresh public key; `fields` adds to or replaces its fields. */
export function newRequestBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    description: "the staging password",
    wanted: { kind: "content" },
    public_key: newRawPublicKey(),
    request_ttl_seconds: 600,
    ttl_seconds: 600,
    ...fields,
  };
}
