/** A counting semaphore: at most `slots` holders at once, the rest wait in arrival order. */
export class ConcurrencyGate {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly slots: number) {}

  /** Resolves with a release function once a slot is free; calling release twice is harmless. */
  async acquire(): Promise<() => void> {
    if (this.held >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.held -= 1;
    };
  }
}
