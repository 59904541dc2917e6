import type { Logger } from "pino";
import type { KubbiSealer } from "../crypto/kubbi-sealer.js";
import type { Metrics } from "../metrics/metrics.js";
import type { EventType, KubbiEvent } from "../events/types.js";
import { AckBatch } from "./ack-batch.js";
import { type EndpointAgent, endpointAgent } from "./endpoint-agent.js";
import { postWebhook } from "./post-webhook.js";
import { retryDelayMs } from "./retry-delay.js";
import { openSecret } from "./secret-sealing.js";
import { signWebhook } from "./signing.js";
import { webhookBody, webhookId } from "./webhook-body.js";
import type { QueuedDelivery, WebhookStore } from "./webhook-store.js";
import { errorFields } from "../logger.js";

export interface DeliverySettings {
  /** How long after its event a delivery is retried before it is given up. */
  retryMs: number;
  /** Each attempt, connect to last response byte. */
  timeoutMs: number;
  /** Attempts under way at once per endpoint. */
  maxInFlight: number;
  allowPrivate: boolean;
}

export interface DeliveryDependencies {
  store: WebhookStore;
  sealer: KubbiSealer;
  settings: DeliverySettings;
  logger: Logger;
  metrics: Metrics;
  /** This process's consumer name in the group. */
  consumer: string;
  now(): number;
}

interface Target {
  /** Parsed once per endpoint change, not per attempt. */
  url: URL;
  /** Its connection pool: kept while the URL's origin stays, dropped with it. */
  agent: EndpointAgent;
  events: ReadonlySet<EventType> | null;
  secret: string;
  updatedAt: number;
  createdAt: number;
}

interface Entry {
  event: KubbiEvent;
  failures: number;
  nextAttemptAt: number;
  sending: boolean;
}

/** Events held in memory per owner while delivering: enough to keep N in flight, small enough to stay cheap. */
const QUEUE_LIMIT = 100;
/**
 * Reads an owner may make per tick: while reads come back full (a backlog), the queue is topped up as soon
 * as half of it is delivered instead of at the next tick, up to this many times, so one owner's backlog
 * goes out at the endpoint's pace (2,000 events a tick at most) without taking every turn from the others.
 */
export const READS_PER_TICK = 20;

/**
 * One owner's deliveries while this process holds the owner's lease: pending events taken over first
 * (a process that died left them), then new ones, oldest first. An event waits until every earlier
 * event of its kubbi is delivered or given up (in order per kubbi); events of other kubbis go alongside,
 * up to maxInFlight at once, over at most maxInFlight kept-alive connections. Done deliveries are
 * acknowledged in batches (ack-batch.ts).
 */
export class OwnerDeliveries {
  private readonly queue: Entry[] = [];
  /** Where taking over pending events goes on; null once they are all in the queue. */
  private claimCursor: string | null = "0-0";
  private target: Target | undefined;
  private readonly attempts = new Set<Promise<void>>();
  private stopped = false;
  private polling = false;
  /** A read between ticks under way (never rejects). */
  private refilling: Promise<void> | undefined;
  /** The last read filled what it asked for: more is waiting. */
  private backlog = false;
  private readsLeft = 0;
  private readonly acks: AckBatch;

  constructor(
    private readonly ownerId: string,
    private readonly deps: DeliveryDependencies,
  ) {
    this.acks = new AckBatch(
      (eventIds) => deps.store.acknowledge(ownerId, eventIds),
      (error) => deps.logger.warn({ key_id: ownerId, err: errorFields(error) }, "webhook acknowledge failed"),
    );
  }

  /**
   * One tick: refresh the endpoint, fill the queue, start what may start. False when this process cannot
   * deliver for the owner (no endpoint, or a secret sealed under a server key it does not have).
   */
  async poll(): Promise<boolean> {
    this.polling = true;
    try {
      // A read between ticks finishes first: the endpoint may have been set anew since it began.
      await this.refilling;
      if (!(await this.refreshTarget())) return false;
      this.readsLeft = READS_PER_TICK;
      await this.read();
    } finally {
      this.polling = false;
    }
    this.pump();
    return true;
  }

  /**
   * Stops starting attempts, waits for those under way (each bounded by the attempt timeout), acknowledges
   * what is done and closes the endpoint's connections.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.refilling;
    await Promise.allSettled([...this.attempts]);
    await this.acks.flush();
    this.target?.agent.destroy();
  }

  /** Tops the queue up: pending events taken over first, then new ones. */
  private async read(): Promise<void> {
    const room = QUEUE_LIMIT - this.queue.length;
    if (room <= 0) return;
    this.readsLeft -= 1;
    const { store, consumer } = this.deps;
    if (this.claimCursor !== null) {
      const { next, deliveries } = await store.claimPending(this.ownerId, consumer, this.claimCursor, room);
      this.claimCursor = next === "0-0" ? null : next;
      // Taking over goes on, then new events: read on either way.
      this.backlog = true;
      await this.enqueue(deliveries);
    } else {
      const { full, deliveries } = await store.readNew(this.ownerId, consumer, room);
      this.backlog = full;
      await this.enqueue(deliveries);
    }
  }

  /** While a backlog lasts, reads again once half the queue is out, without waiting for the next tick. */
  private refill(): void {
    if (!this.backlog || this.stopped || this.polling || this.refilling || this.readsLeft <= 0) return;
    if (this.queue.length > QUEUE_LIMIT / 2) return;
    this.refilling = this.read()
      .catch((error: Error) => {
        this.backlog = false;
        this.deps.logger.warn(
          { key_id: this.ownerId, err: errorFields(error) },
          "webhook queue read failed; the next tick retries",
        );
      })
      .finally(() => {
        this.refilling = undefined;
        this.pump();
      });
  }

  private async refreshTarget(): Promise<boolean> {
    const endpoint = await this.deps.store.getEndpoint(this.ownerId);
    if (!endpoint) return false;
    if (this.target?.updatedAt === endpoint.updatedAt) return true;
    if (this.target !== undefined && this.target.createdAt !== endpoint.createdAt) {
      // Deleted and set again between two ticks: the old queue went with the old endpoint.
      this.queue.length = 0;
      this.claimCursor = "0-0";
    }
    try {
      const secret = openSecret(this.deps.sealer, this.ownerId, endpoint);
      const url = new URL(endpoint.url);
      this.target = {
        url,
        agent: this.agentFor(url),
        events: endpoint.events === null ? null : new Set(endpoint.events),
        secret,
        updatedAt: endpoint.updatedAt,
        createdAt: endpoint.createdAt,
      };
      return true;
    } catch (error) {
      this.deps.logger.error(
        { key_id: this.ownerId, err: errorFields(error) },
        "webhook secret does not open (its server key left KUBBI_KEYS?): deliveries wait; set the endpoint again",
      );
      return false;
    }
  }

  /**
   * The current pool while the origin stays the same; else a new one, and the old one is closed once the
   * attempts under way on it end. So this process holds one pool per owner it delivers, none for endpoints
   * gone or moved.
   */
  private agentFor(url: URL): EndpointAgent {
    const current = this.target?.agent;
    if (current && this.target!.url.origin === url.origin) return current;
    if (current) void Promise.allSettled([...this.attempts]).then(() => current.destroy());
    const { maxInFlight, allowPrivate } = this.deps.settings;
    return endpointAgent(url, { maxSockets: maxInFlight, allowPrivate });
  }

  /** Queues what the endpoint subscribes to; acknowledges the rest at once. */
  private async enqueue(deliveries: QueuedDelivery[]): Promise<void> {
    const unsubscribed: string[] = [];
    for (const { event, deliveries: handedOut } of deliveries) {
      if (this.target?.events && !this.target.events.has(event.type)) unsubscribed.push(event.id);
      else this.queue.push({ event, failures: handedOut - 1, nextAttemptAt: 0, sending: false });
    }
    await this.deps.store.acknowledge(this.ownerId, unsubscribed);
  }

  /** Starts what may start, then tops the queue up if a backlog waits. */
  private pump(): void {
    if (this.stopped || !this.target) return;
    const now = this.deps.now();
    const kubbisWaiting = new Set<string>();
    let sending = this.attempts.size;
    for (const entry of this.queue) {
      const kubbiId = entry.event.kubbi_id;
      if (kubbisWaiting.has(kubbiId)) continue;
      kubbisWaiting.add(kubbiId);
      if (entry.sending || entry.nextAttemptAt > now) continue;
      if (sending >= this.deps.settings.maxInFlight) break;
      sending += 1;
      const attempt = this.attempt(entry, this.target).finally(() => {
        this.attempts.delete(attempt);
        this.pump();
      });
      this.attempts.add(attempt);
    }
    this.refill();
  }

  private async attempt(entry: Entry, target: Target): Promise<void> {
    const { settings, metrics, logger, now } = this.deps;
    entry.sending = true;
    const body = webhookBody(entry.event);
    const headers = signWebhook(target.secret, webhookId(entry.event), Math.floor(now() / 1000), body);
    const { timeoutMs, allowPrivate } = settings;
    const result = await postWebhook(target.url, { ...headers }, body, {
      timeoutMs,
      allowPrivate,
      agent: target.agent,
    }).catch(() => ({
      delivered: false as const,
      reason: "request could not be made",
    }));
    entry.sending = false;
    const expired = now() - Date.parse(entry.event.occurred_at) >= settings.retryMs;
    if (!result.delivered) {
      entry.failures += 1;
      metrics.webhookDelivery(expired ? "given_up" : "failed_attempt");
      const about = { key_id: this.ownerId, event_id: entry.event.id, type: entry.event.type, reason: result.reason };
      if (!expired) {
        entry.nextAttemptAt = now() + retryDelayMs(entry.failures);
        logger.info({ ...about, failures: entry.failures }, "webhook attempt failed; will retry");
        return;
      }
      logger.warn(
        { ...about, failures: entry.failures },
        "webhook given up: not delivered within KUBBI_WEBHOOK_RETRY_SECONDS",
      );
    } else metrics.webhookDelivery("delivered");
    const position = this.queue.indexOf(entry);
    // Not there when the endpoint was set anew meanwhile (the queue was dropped).
    if (position !== -1) this.queue.splice(position, 1);
    this.acks.add(entry.event.id);
  }
}
