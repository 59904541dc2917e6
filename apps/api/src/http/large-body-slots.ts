import { ConcurrencyGate } from "./concurrency-gate.js";

/**
 * Server-wide slots for large request bodies, at most one per API key: a key's second large body
 * waits for its first before it queues for a shared slot, so one key cannot hold every slot while
 * other keys' large creates wait behind it.
 */
export class LargeBodySlots {
  private readonly shared: ConcurrencyGate;
  /** One single-slot gate per key with a large body in flight or queued; dropped when unused. */
  private readonly perKey = new Map<string, { gate: ConcurrencyGate; users: number }>();

  constructor(slots: number) {
    this.shared = new ConcurrencyGate(slots);
  }

  /** Resolves with a release function once the key's own slot and a shared slot are both held. */
  async acquire(keyId: string): Promise<() => void> {
    let own = this.perKey.get(keyId);
    if (!own) this.perKey.set(keyId, (own = { gate: new ConcurrencyGate(1), users: 0 }));
    own.users += 1;
    const releaseOwn = await own.gate.acquire();
    const releaseShared = await this.shared.acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseShared();
      releaseOwn();
      own.users -= 1;
      if (own.users === 0) this.perKey.delete(keyId);
    };
  }
}
