import { Router } from "express";
import { ApiError } from "../errors.js";
import type { KubbiStore } from "../store/store.js";

/** Liveness says the process answers; readiness says it can serve (storage answers, not draining). */
export function healthRouter(store: KubbiStore, isDraining: () => boolean): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    if (isDraining()) throw new ApiError("service_unavailable", "The server is shutting down.");
    try {
      await store.ping();
    } catch {
      throw new ApiError("service_unavailable", "Storage is not reachable.");
    }
    res.json({ status: "ready" });
  });
  return router;
}
