import { bearerCredential } from "@kubbi.ai/sdk/wire";
import type { NextFunction, Request, Response } from "express";
import type { ApiKeyRegistry } from "../auth/api-keys.js";
import { ApiError } from "../errors.js";
import type { Producer } from "../services/context.js";

/** Producer routes need `Authorization: Bearer kb_...`; every failure is the same 401. */
export function producerAuth(registry: ApiKeyRegistry) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const presented = bearerCredential(req.get("authorization"));
    const producer = presented ? await registry.authenticate(presented) : null;
    if (!producer) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="kubbi"');
      throw new ApiError(
        "unauthorized",
        presented ? "The API key is not valid." : "An API key is required: send Authorization: Bearer kb_...",
      );
    }
    res.locals.producer = producer;
    next();
  };
}

export const producerOf = (res: Response): Producer => res.locals.producer as Producer;
