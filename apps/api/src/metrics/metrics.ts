import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ErrorCode } from "../errors.js";

/** What happens to kubbis. "expired" is counted when a consumer's inspect or claim finds one expired
 * (Redis drops the payload by TTL; nothing observes the moment itself), so it counts observations. */
export type KubbiEvent = "created" | "claimed" | "burned" | "expired" | "deleted";

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's Prometheus metrics, in a registry of its own. Every label value comes from a fixed
 * set (route templates, error codes, store operation names, event names): never a token, key, id
 * or anything a client sent.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly kubbiEvents = new Counter({
    name: "kubbi_kubbi_events_total",
    help: "Kubbis created, claimed (each retrieval), burned (last allowed retrieval), deleted by their producer, and found expired by a consumer",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });
  private readonly rejections = new Counter({
    name: "kubbi_rejections_total",
    help: "Error responses, by error code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: "kubbi_http_request_duration_seconds",
    help: "Time from request to response finished, by method, route template and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({
    name: "kubbi_http_request_body_bytes_total",
    help: "Request body bytes received, by route template",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  private readonly bytesOut = new Counter({
    name: "kubbi_http_response_bytes_total",
    help: "Response bytes sent (headers included), by route template",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  private readonly redisDuration = new Histogram({
    name: "kubbi_redis_operation_duration_seconds",
    help: "Time of each store operation against Redis (one round trip each), by operation",
    labelNames: ["operation"] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly redisErrors = new Counter({
    name: "kubbi_redis_errors_total",
    help: "Store operations against Redis that failed, by operation; 'connection' counts connection errors",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });

  private readonly webhookDeliveries = new Counter({
    name: "kubbi_webhook_deliveries_total",
    help: "Webhook attempts, by outcome: delivered (a 2xx), failed_attempt (will be retried), given_up (retry period over)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  /**
   * `recording` false: nothing will scrape these (no KUBBI_METRICS_PORT or _TOKEN), so every call is a
   * no-op and requests pay nothing (a few microseconds each otherwise). When true, process metrics
   * (CPU, memory, event-loop lag) are collected too.
   */
  constructor(readonly recording: boolean) {
    for (const event of ["created", "claimed", "burned", "expired", "deleted"] satisfies KubbiEvent[])
      this.kubbiEvents.inc({ event }, 0);
    if (recording) collectDefaultMetrics({ register: this.registry, prefix: "kubbi_" });
  }

  kubbi(event: KubbiEvent): void {
    if (this.recording) this.kubbiEvents.inc({ event });
  }

  webhookDelivery(outcome: "delivered" | "failed_attempt" | "given_up"): void {
    if (this.recording) this.webhookDeliveries.inc({ outcome });
  }

  rejection(code: ErrorCode): void {
    if (this.recording) this.rejections.inc({ code });
  }

  request(method: string, route: string, status: number, seconds: number, bodyBytesIn: number, bytesOut: number): void {
    if (!this.recording) return;
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
    if (bodyBytesIn > 0) this.bytesIn.inc({ route }, bodyBytesIn);
    if (bytesOut > 0) this.bytesOut.inc({ route }, bytesOut);
  }

  redisOperation(operation: string, seconds: number, failed: boolean): void {
    if (!this.recording) return;
    this.redisDuration.observe({ operation }, seconds);
    if (failed) this.redisErrors.inc({ operation });
  }

  redisConnectionError(): void {
    if (this.recording) this.redisErrors.inc({ operation: "connection" });
  }
}
