import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../errors.js";
import type { KubbiStore } from "../store/store.js";
import { addressBucket } from "./address-bucket.js";
import { producerOf } from "./producer-auth.js";

const WINDOW_MS = 60_000;

/** A limit's two fields that never change, as header values: made once per limit, not per response. */
interface LimitFields {
  limit: string;
  policy: string;
}
const fieldsByLimit = new Map<number, LimitFields>();
function limitFields(limit: number): LimitFields {
  let fields = fieldsByLimit.get(limit);
  if (!fields) fieldsByLimit.set(limit, (fields = { limit: String(limit), policy: `${limit};w=${WINDOW_MS / 1000}` }));
  return fields;
}

/**
 * Every limited response carries the IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers,
 * the separate-field form): RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds until
 * the window ends) and RateLimit-Policy; a 429 adds Retry-After. Counted in process, so synchronous.
 */
function enforce(store: KubbiStore, res: Response, bucket: string, limit: number, nowMs: number): void {
  const { allowed, remaining, resetMs } = store.hitRateLimit(bucket, limit, WINDOW_MS, nowMs);
  const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  const fields = limitFields(limit);
  res.setHeader("RateLimit-Limit", fields.limit);
  res.setHeader("RateLimit-Remaining", String(remaining));
  res.setHeader("RateLimit-Reset", String(resetSeconds));
  res.setHeader("RateLimit-Policy", fields.policy);
  if (!allowed) {
    throw new ApiError(
      "rate_limited",
      `Too many requests: at most ${limit} a minute. Retry after ${resetSeconds} s.`,
      [],
      resetSeconds,
    );
  }
}

/** Per API key, at its plan's rate. Runs after authentication. */
export function producerRateLimit(store: KubbiStore, now: () => number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const producer = producerOf(res);
    enforce(store, res, `key:${producer.keyId}`, producer.plan.ratePerMinute, now());
    next();
  };
}

/** Consumer routes have no key: they are limited per client address (IPv6 per /64). */
export function consumerRateLimit(store: KubbiStore, limitPerMinute: number, now: () => number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    enforce(store, res, `ip:${addressBucket(req.ip)}`, limitPerMinute, now());
    next();
  };
}
