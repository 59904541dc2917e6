import type { Request, RequestHandler, Response } from "express";

/** A synchronous step every request takes before routing: it sets headers or state, or throws an ApiError. */
export type RequestStep = (req: Request, res: Response) => void;

/** The steps as one Express layer: each layer is a dispatch of its own, and every request takes all of these. */
export function everyRequest(...steps: RequestStep[]): RequestHandler {
  return (req, res, next) => {
    for (const step of steps) step(req, res);
    next();
  };
}

/**
 * Middleware run one after another inside one Express layer (the producer chain: authentication,
 * the key's rate limit, its body). Each stops the sequence by answering or throwing instead of
 * calling next, as one Express layer each would.
 */
export function inSequence(...handlers: RequestHandler[]): RequestHandler {
  return async (req, res, next) => {
    for (const handler of handlers) {
      let passed = false;
      await handler(req, res, (error?: unknown) => {
        if (error !== undefined) throw error;
        passed = true;
      });
      if (!passed) return;
    }
    next();
  };
}
