import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { startPeriodic } from "../jobs/periodic.js";
import { errorFields } from "../logger.js";
import { OwnerDeliveries, type DeliveryDependencies } from "./owner-deliveries.js";

/** A lease not renewed for this long (its process died) passes to another process: ten ticks, at least 5 s. */
const leaseMs = (tickMs: number) => Math.max(5_000, tickMs * 10);
/** Free owners one process tries to take per tick: several processes starting together split the owners. */
const LEASES_PER_TICK = 4;
/**
 * Ticks an owner is left to other processes after this one could not deliver for it (its secret sealed
 * under a server key this process lacks, mid-rotation): the lease goes back at once.
 */
const STEP_ASIDE_TICKS = 20;

/**
 * The delivery worker each API process runs. Every owner with an endpoint is delivered by one process at
 * a time, the holder of the owner's lease (renewed every tick), so several processes share the owners
 * without delivering an event twice in the normal case; when a process dies its leases lapse and another
 * process takes the owners over, with their pending deliveries (at least once, same webhook-id).
 */
export class WebhookWorker {
  private readonly owners = new Map<string, OwnerDeliveries>();
  /** Owners this process stepped aside from, and the tick it may try again. */
  private readonly steppedAside = new Map<string, number>();
  private ticks = 0;
  /** Stops the ticks, once the one under way ends. */
  private stopTicks: () => Promise<void> = async () => {};
  private readonly deps: DeliveryDependencies;

  private readonly leaseMs: number;

  /** tickMs: how often it reads the registry, renews its leases and polls its owners' queues (KUBBI_WEBHOOK_POLL_MS). */
  constructor(
    private readonly tickMs: number,
    deps: Omit<DeliveryDependencies, "consumer">,
  ) {
    this.leaseMs = leaseMs(tickMs);
    // Unique per process run: a restarted process takes its own old pending deliveries over like anyone's.
    this.deps = { ...deps, consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}` };
  }

  start(): void {
    this.stopTicks = startPeriodic(
      this.tickMs,
      () => this.tick(),
      (error) =>
        this.deps.logger.warn({ err: errorFields(error) }, "webhook worker tick failed; the next tick retries"),
    );
  }

  /** Lets attempts under way finish (each bounded by its timeout), then hands the owners back. */
  async stop(): Promise<void> {
    await this.stopTicks();
    const owners = [...this.owners.entries()];
    this.owners.clear();
    await Promise.all(owners.map(([, deliveries]) => deliveries.stop()));
    await Promise.allSettled(owners.map(([ownerId]) => this.deps.store.releaseLease(ownerId, this.deps.consumer)));
  }

  private async tick(): Promise<void> {
    const { store, consumer, logger } = this.deps;
    this.ticks += 1;
    const registered = new Set(await store.ownersWithEndpoints());
    for (const [ownerId, deliveries] of this.owners) {
      if (registered.has(ownerId) && (await store.renewLease(ownerId, consumer, this.leaseMs))) continue;
      this.owners.delete(ownerId);
      void deliveries.stop();
    }
    const free = [...registered].filter(
      (ownerId) => !this.owners.has(ownerId) && (this.steppedAside.get(ownerId) ?? 0) <= this.ticks,
    );
    for (const ownerId of shuffled(free).slice(0, LEASES_PER_TICK)) {
      if (await store.acquireLease(ownerId, consumer, this.leaseMs))
        this.owners.set(ownerId, new OwnerDeliveries(ownerId, this.deps));
    }
    await Promise.all(
      [...this.owners.entries()].map(async ([ownerId, deliveries]) => {
        const delivering = await deliveries.poll().catch((error: Error) => {
          logger.warn({ key_id: ownerId, err: errorFields(error) }, "webhook queue poll failed; the next tick retries");
          return true;
        });
        if (delivering) return;
        // No endpoint any more, or a secret this process cannot open: hand the owner back.
        this.owners.delete(ownerId);
        this.steppedAside.set(ownerId, this.ticks + STEP_ASIDE_TICKS);
        await deliveries.stop();
        await store.releaseLease(ownerId, consumer);
      }),
    );
  }
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
