import type { ManifestEntry } from "../services/payload.js";
import type { KubbiRecord } from "../store/store.js";
import { claimTokenSecret } from "./tokens.js";
import type { KeyRing, SealingRef } from "./keyring.js";
import { DecryptError, infoKey, open, payloadKey, seal } from "./seal.js";

/** What the server alone can read of a kubbi: the producer's metadata and the file manifest. */
export interface KubbiInfo {
  metadata: Record<string, unknown> | null;
  files: ManifestEntry[] | null;
}

const isEmpty = (info: KubbiInfo) => info.metadata === null && info.files === null;

/** Seals and opens kubbis with keys from the ring; the kubbi id is the associated data of both. */
export class KubbiSealer {
  constructor(private readonly keyRing: KeyRing) {}

  sealNew(kubbiId: string, claimToken: string, payload: Buffer, info: KubbiInfo, nowMs: number) {
    const ref = this.keyRing.current(nowMs);
    const epochKey = this.epochKey(ref);
    return {
      ref,
      sealedPayload: seal(payloadKey(epochKey, claimTokenSecret(claimToken), kubbiId), payload, kubbiId),
      // A single payload without metadata has no info at all: storing nothing saves ~100 bytes a kubbi.
      sealedInfo: isEmpty(info)
        ? Buffer.alloc(0)
        : seal(infoKey(epochKey, kubbiId), Buffer.from(JSON.stringify(info), "utf8"), kubbiId),
    };
  }

  /** Throws DecryptError for a kubbi sealed under a key not in the ring, even one with no info to open. */
  openInfo(record: KubbiRecord): KubbiInfo {
    const epochKey = this.epochKey(record);
    if (record.sealedInfo.length === 0) return { metadata: null, files: null };
    const key = infoKey(epochKey, record.id);
    return JSON.parse(openUnder(record.keyId, key, record.sealedInfo, record.id).toString("utf8")) as KubbiInfo;
  }

  openPayload(record: KubbiRecord, claimToken: string, sealedPayload: Buffer): Buffer {
    const key = payloadKey(this.epochKey(record), claimTokenSecret(claimToken), record.id);
    return openUnder(record.keyId, key, sealedPayload, record.id);
  }

  current(nowMs: number): SealingRef {
    return this.keyRing.current(nowMs);
  }

  epochKey(ref: SealingRef): Buffer {
    const key = this.keyRing.epochKey(ref);
    if (!key) throw new DecryptError(`server key "${ref.keyId}" is not in the key ring`, ref.keyId);
    return key;
  }
}

/** open(), with the server key id on the error: an operator can tell a retired key from a replaced one. */
function openUnder(keyId: string, key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  try {
    return open(key, sealed, associatedData);
  } catch (error) {
    if (error instanceof DecryptError) throw new DecryptError(`${error.message} under server key "${keyId}"`, keyId);
    throw error;
  }
}
