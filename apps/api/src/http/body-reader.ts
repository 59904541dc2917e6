import type { Request, Response } from "express";
import { ApiError } from "../errors.js";
import { LargeBodySlots } from "./large-body-slots.js";

/** Bodies announced above this take a large-body slot before they are read; chunked ones once they pass it. */
const LARGE_BODY_BYTES = 1024 * 1024;
/** The minimum rate is judged only after this much reading time: one slow start is not an attack. */
const RATE_GRACE_MS = 5_000;
const RATE_CHECK_INTERVAL_MS = 1_000;

export interface BodyLimits {
  /** Server-wide large-body slots (each key holds at most one). */
  largeBodySlots: number;
  /** Reading time allowed for one body, not counting time queued for a slot. */
  timeoutMs: number;
  /** Average rate a body must keep after the grace period; 0 turns the check off. */
  minBytesPerSecond: number;
}

export interface BodyRead {
  /** The most bytes taken; more is `tooLarge()`, before reading when Content-Length says so. */
  limit: number;
  /** Whose large-body slot the body takes: the API key it is sent for. */
  keyId: string;
  tooLarge: () => ApiError;
}

interface ReadOptions extends BodyLimits {
  limit: number;
  announced: number | undefined;
  slots: LargeBodySlots;
  keyId: string;
  tooLarge: () => ApiError;
}

/**
 * Reads request bodies whole, for every route that takes one (producer JSON, request-link deliveries),
 * so they share one set of large-body slots. A large body costs several times its size in memory while
 * it is parsed, decoded and sealed, so only a few are read at once (one per key); the others wait
 * unread, held back by TCP flow control. A body that takes longer than the deadline, or arrives slower
 * than the minimum rate, is cut off with 408 so a slow sender cannot hold a slot (or a connection) for long.
 */
export class BodyReader {
  readonly #slots: LargeBodySlots;

  constructor(private readonly limits: BodyLimits) {
    this.#slots = new LargeBodySlots(limits.largeBodySlots);
  }

  /** The body, or undefined when the response was already sent (a shutdown's 503) or the client went away. */
  read(req: Request, res: Response, { limit, keyId, tooLarge }: BodyRead): Promise<Buffer | undefined> {
    const length = req.get("content-length");
    const announced = length === undefined ? undefined : Number(length);
    // Refuse up front: what we will not use is discarded unread, never buffered.
    if (announced !== undefined && announced > limit) {
      discardRest(req);
      return Promise.reject(tooLarge());
    }
    return readBody(req, res, { ...this.limits, limit, announced, slots: this.#slots, keyId, tooLarge });
  }
}

/**
 * How long a refused upload may go on sending after its answer. Closing a connection whose client is still
 * writing makes the kernel reset it, and the reset destroys the answer before the client reads it: so the
 * rest is read and thrown away (nginx's lingering close), but only this long, so discarding cannot hold
 * a connection.
 */
const LINGER_MS = 5_000;

/** Throws the rest of a refused body away unread; the connection is cut if it is still coming after LINGER_MS. */
function discardRest(req: Request) {
  if (req.complete) return;
  const cut = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  const stop = () => clearTimeout(cut);
  req.once("end", stop).once("close", stop).resume();
}

/** Reads the whole body under the plan limit, the slots, the deadline and the minimum rate. */
function readBody(req: Request, res: Response, options: ReadOptions): Promise<Buffer | undefined> {
  const { limit, announced, slots, keyId, timeoutMs, minBytesPerSecond, tooLarge } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    let holdsSlot = false;
    // Reading time excludes time spent queued for a slot: waiting there is not the client's doing.
    let readMsBefore = 0;
    let readingSince: number | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let rateCheck: NodeJS.Timeout | undefined;
    let clocksDue: NodeJS.Immediate | undefined;
    const readMs = () => readMsBefore + (readingSince === undefined ? 0 : Date.now() - readingSince);

    function startClock() {
      readingSince = Date.now();
      deadline = setTimeout(
        () => cutOff(`The request body did not arrive within ${timeoutMs} ms.`),
        Math.max(0, timeoutMs - readMsBefore),
      );
    }
    function stopClock() {
      readMsBefore = readMs();
      readingSince = undefined;
      clearTimeout(deadline);
    }
    function checkRate() {
      const elapsed = readMs();
      if (readingSince === undefined || elapsed < RATE_GRACE_MS) return;
      if (received < (minBytesPerSecond * elapsed) / 1000) {
        cutOff(`The request body arrived slower than ${minBytesPerSecond} bytes a second.`);
      }
    }
    function finish(outcome: { body: Buffer | undefined } | { error: ApiError }) {
      if (settled) return;
      settled = true;
      stopClock();
      clearInterval(rateCheck);
      clearImmediate(clocksDue);
      req.off("data", onData).off("end", onEnd).off("close", onClose);
      res.off("close", onResponseClose);
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.body);
    }
    function cutOff(message: string) {
      if (res.headersSent) return finish({ body: undefined });
      // The rest of the body is not wanted: answer, then close rather than drain it.
      res.setHeader("Connection", "close");
      req.resume();
      finish({ error: new ApiError("request_timeout", message) });
    }
    function waitForSlot() {
      stopClock();
      req.pause();
      void slots.acquire(keyId).then((release) => {
        holdsSlot = true;
        // Held until the response is done: parsing and sealing are where the memory goes.
        if (settled || res.closed) return release();
        res.once("close", release);
        startClock();
        req.resume();
      });
    }
    function onData(chunk: Buffer) {
      if (res.headersSent) return finish({ body: undefined });
      received += chunk.length;
      if (received > limit) {
        finish({ error: tooLarge() });
        return discardRest(req);
      }
      chunks.push(chunk);
      // A chunked body (or one longer than announced) queues for a slot only once it proves large.
      if (!holdsSlot && received > LARGE_BODY_BYTES && readingSince !== undefined) waitForSlot();
    }
    function onEnd() {
      finish({ body: Buffer.concat(chunks, received) });
    }
    function onClose() {
      if (!req.complete)
        finish({
          error: new ApiError("validation_error", "The request body was incomplete.", ["body: was incomplete"]),
        });
    }
    function onResponseClose() {
      finish({ body: undefined });
    }

    req.on("data", onData).on("end", onEnd).on("close", onClose);
    res.once("close", onResponseClose);
    const startRateCheck = () => {
      if (minBytesPerSecond > 0) rateCheck = setInterval(checkRate, RATE_CHECK_INTERVAL_MS);
    };
    if (announced !== undefined && announced > LARGE_BODY_BYTES) {
      startRateCheck();
      waitForSlot();
    } else {
      // A small body in the same packets as its headers has ended before the event loop turns: its deadline
      // and rate check start only if it is still arriving then.
      clocksDue = setImmediate(() => {
        startRateCheck();
        startClock();
      });
    }
  });
}
