import type { Request, Response } from "express";
import { ApiError } from "../errors.js";
import type { KubbiStore } from "../store/store.js";

/** Liveness: the process answers. */
export function liveness(_req: Request, res: Response): void {
  res.json({ status: "ok" });
}

/** Readiness: storage answers and the server is not draining. */
export function readiness(store: KubbiStore, isDraining: () => boolean) {
  return async (_req: Request, res: Response) => {
    if (isDraining()) throw new ApiError("service_unavailable", "The server is shutting down.");
    try {
      await store.ping();
    } catch {
      throw new ApiError("service_unavailable", "Storage is not reachable.", [], 1);
    }
    res.json({ status: "ready" });
  };
}
