/** Done deliveries acknowledged in one command once this many wait... */
export const ACK_BATCH_SIZE = 50;
/** ...or once the first of them has waited this long: the window in which a crash repeats a delivery. */
export const ACK_DELAY_MS = 100;

/**
 * One owner's done deliveries (delivered, or given up), acknowledged in batches: one XACK for many instead
 * of one each. An id is only added once its delivery is done, so nothing is acknowledged early (at least
 * once); until its batch goes, a process that dies leaves it pending and it is delivered again, with the
 * same webhook-id. Batches go one after another.
 */
export class AckBatch {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly acknowledge: (eventIds: string[]) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  add(eventId: string): void {
    this.ids.push(eventId);
    if (this.ids.length >= ACK_BATCH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), ACK_DELAY_MS).unref();
  }

  /** Sends what waits now; resolves once every batch so far was answered (or failed and was reported). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.ids;
    this.ids = [];
    if (ids.length > 0)
      // Left pending on failure: whoever delivers this owner next delivers them again (same webhook-id).
      this.sending = this.sending.then(() => this.acknowledge(ids).catch(this.onError));
    return this.sending;
  }
}
