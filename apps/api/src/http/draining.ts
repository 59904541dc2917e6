import type { Response } from "express";
import { ApiError } from "../errors.js";
import { sendError } from "./error-handler.js";
import type { RequestStep } from "./request-steps.js";

/**
 * Shutdown without surprises for clients. Once draining, every response says `Connection: close`
 * (keep-alive clients reconnect to a live process instead of sending here again), and at the grace
 * limit every request still unanswered (a body still arriving, a wait for a slot) gets a 503
 * envelope before its connection closes, rather than a reset.
 */
export class Drain {
  private draining = false;
  private readonly inFlight = new Set<Response>();
  /** One listener for every response, not a closure per request. */
  private readonly untrack: (this: Response) => void;

  constructor() {
    const inFlight = this.inFlight;
    this.untrack = function () {
      inFlight.delete(this);
    };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** The first step of every request: tracks it until its response is done. */
  readonly track: RequestStep = (_req, res) => {
    this.inFlight.add(res);
    res.on("close", this.untrack);
    if (this.draining) res.setHeader("Connection", "close");
  };

  /** Responses not yet started (and every later one) close their connection when done. */
  start(): void {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
  }

  /** Answers every unanswered request with 503 and resolves once those answers are written (or `lingerMs` passed). */
  async cutOff(lingerMs: number): Promise<void> {
    const answered: Array<Promise<void>> = [];
    for (const res of this.inFlight) {
      if (res.headersSent) continue;
      answered.push(new Promise((resolve) => res.once("finish", resolve).once("close", resolve)));
      sendError(
        res,
        new ApiError(
          "service_unavailable",
          "The server is shutting down and could not finish this request; send it again.",
        ),
      );
    }
    if (answered.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(answered), new Promise((resolve) => (timer = setTimeout(resolve, lingerMs)))]);
    clearTimeout(timer);
  }
}
