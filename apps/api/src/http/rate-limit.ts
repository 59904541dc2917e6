import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../errors.js";
import type { KubbiStore } from "../store/store.js";
import { producerOf } from "./producer-auth.js";

const WINDOW_MS = 60_000;

async function enforce(store: KubbiStore, res: Response, bucket: string, limit: number, nowMs: number) {
  const { allowed, resetMs } = await store.hitRateLimit(bucket, limit, WINDOW_MS, nowMs);
  res.setHeader("RateLimit-Limit", String(limit));
  if (!allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
    throw new ApiError("rate_limited", `Too many requests: at most ${limit} a minute. Retry after ${retryAfterSeconds} s.`, [], retryAfterSeconds);
  }
}

/** Per API key, at its plan's rate. Runs after authentication. */
export function producerRateLimit(store: KubbiStore, now: () => number) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const producer = producerOf(res);
    await enforce(store, res, `key:${producer.keyId}`, producer.plan.ratePerMinute, now());
    next();
  };
}

/** Consumer routes have no key: they are limited per client address. */
export function consumerRateLimit(store: KubbiStore, limitPerMinute: number, now: () => number) {
  return async (req: Request, res: Response, next: NextFunction) => {
    await enforce(store, res, `ip:${req.ip ?? "unknown"}`, limitPerMinute, now());
    next();
  };
}
