import { hash, randomBytes } from "node:crypto";
import { randomBytesPooled } from "./random.js";

/** 32 random bytes = 256 bits, base64url without padding: always 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A token never begins with "-": a bare token is a command-line argument too (`kubbi claim TOKEN`, `curl`,
 * `xargs`), where a leading dash reads as an option. Redrawing the 1 in 64 that would costs 0.02 bits.
 */
export function newClaimToken(): string {
  for (;;) {
    const token = randomBytesPooled(TOKEN_BYTES).toString("base64url");
    if (token[0] !== "-") return token;
  }
}

/** Rejects anything that cannot be a token we issued, before it reaches storage. */
export function isWellFormedClaimToken(candidate: string): boolean {
  return TOKEN_PATTERN.test(candidate);
}

/** 22 base64url characters = 132 bits of SHA-256: collision-free for any realistic count, and short in every key. */
const STORAGE_HASH_CHARS = 22;

/** The only form of a claim token that storage ever sees (a truncated SHA-256: it indexes, it does not authenticate). */
export function hashClaimToken(claimToken: string): string {
  return hash("sha256", claimToken, "base64url").slice(0, STORAGE_HASH_CHARS);
}

export function claimTokenSecret(claimToken: string): Buffer {
  return Buffer.from(claimToken, "base64url");
}

export function newApiKey(): string {
  return `kb_${randomBytes(TOKEN_BYTES).toString("base64url")}`;
}

/** API keys are stored and looked up only by this hash. */
export function hashApiKey(apiKey: string): string {
  return hash("sha256", apiKey, "hex");
}
