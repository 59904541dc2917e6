import { z } from "zod";

const positiveInt = (max?: number) => {
  let schema = z.coerce.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(1, { error: `must be at least 1` });
  if (max) schema = schema.max(max, { error: `must be at most ${max}` });
  return schema;
};

export const LIST_LIMIT_MAX = 100;

export const listQuerySchema = z.object({
  page: positiveInt().default(1),
  limit: positiveInt(LIST_LIMIT_MAX).default(20),
});
