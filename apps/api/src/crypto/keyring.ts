import { randomBytes } from "node:crypto";
import { hkdfSha256 } from "./hkdf.js";

interface ServerKey {
  id: string;
  secret: Buffer;
}

/** The server key and epoch a kubbi was sealed under; stored with the kubbi so a claim can rebuild its key. */
export interface SealingRef {
  keyId: string;
  epoch: number;
}

export class KeyRingError extends Error {}

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const EPOCH_KEY_CACHE_LIMIT = 64;

/**
 * Server keys with ids ("k2:BASE64,k1:BASE64", first one active). The active key never seals
 * directly: each rotation period gets its own epoch key derived from it, so the key in use rotates
 * on schedule without a restart, and any epoch of any key in the ring can still be rebuilt.
 */
export class KeyRing {
  private readonly byId: Map<string, ServerKey>;
  private readonly epochKeys = new Map<string, Buffer>();

  constructor(
    private readonly keys: ServerKey[],
    private readonly rotationSeconds: number,
  ) {
    if (keys.length === 0) throw new KeyRingError("the key ring is empty");
    this.byId = new Map(keys.map((key) => [key.id, key]));
    if (this.byId.size !== keys.length) throw new KeyRingError("KUBBI_KEYS has a duplicate key id");
  }

  static parse(spec: string, rotationSeconds: number): KeyRing {
    const keys = spec
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const separator = entry.indexOf(":");
        const id = entry.slice(0, separator);
        const secret = Buffer.from(entry.slice(separator + 1), "base64");
        if (separator < 1 || !KEY_ID_PATTERN.test(id)) {
          throw new KeyRingError("KUBBI_KEYS entries look like id:BASE64 (id of 1-32 [A-Za-z0-9_-])");
        }
        if (secret.length !== 32) throw new KeyRingError(`KUBBI_KEYS key "${id}" must decode to exactly 32 bytes`);
        return { id, secret };
      });
    return new KeyRing(keys, rotationSeconds);
  }

  /** A throwaway ring for development mode only. */
  static generate(rotationSeconds: number): KeyRing {
    return new KeyRing([{ id: "dev", secret: randomBytes(32) }], rotationSeconds);
  }

  get ids(): string[] {
    return this.keys.map((key) => key.id);
  }

  /** What a kubbi created now is sealed under. */
  current(nowMs: number): SealingRef {
    return { keyId: this.keys[0]!.id, epoch: Math.floor(nowMs / 1000 / this.rotationSeconds) };
  }

  /** The epoch key for a sealing reference, or undefined when its server key has left the ring. */
  epochKey(ref: SealingRef): Buffer | undefined {
    const cacheKey = `${ref.keyId}/${ref.epoch}`;
    const cached = this.epochKeys.get(cacheKey);
    if (cached) return cached;
    const serverKey = this.byId.get(ref.keyId);
    if (!serverKey) return undefined;
    const derived = hkdfSha256(serverKey.secret, Buffer.alloc(0), `kubbi/epoch/${ref.epoch}`);
    if (this.epochKeys.size >= EPOCH_KEY_CACHE_LIMIT) {
      this.epochKeys.delete(this.epochKeys.keys().next().value!);
    }
    this.epochKeys.set(cacheKey, derived);
    return derived;
  }
}
