import { LIMITS } from "@kubbi/openapi";
import { z } from "zod";

/** A query integer within the spec's bounds for it (page and limit), defaulting as the spec says. */
export const boundedInt = ({ min, max, default: fallback }: { min: number; max: number; default: number }) =>
  z.coerce
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

export const listQuerySchema = z.object({
  page: boundedInt(LIMITS.page),
  limit: boundedInt(LIMITS.pageSize),
});
