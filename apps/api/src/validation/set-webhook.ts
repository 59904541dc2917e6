import { z } from "zod";
import { EVENT_TYPES } from "../events/types.js";
import { webhookUrlProblem } from "../webhooks/url-policy.js";

/** PUT /api/v1/webhook: where to deliver, which types (absent or null: all), and whether to issue a new secret. */
export function setWebhookSchema(allowPrivate: boolean) {
  return z.strictObject({
    url: z.string({ error: "is required and must be a URL string" }).superRefine((url, context) => {
      const problem = webhookUrlProblem(url, allowPrivate);
      if (problem) context.addIssue({ code: "custom", message: problem.replace(/^url /, "") });
    }),
    events: z
      .array(z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(", ")}` }), {
        error: "must be a list of event types, or null for all",
      })
      .min(1, { error: "must name at least one event type (or be null for all)" })
      .refine((types) => new Set(types).size === types.length, { error: "must not repeat an event type" })
      .nullable()
      .optional(),
    rotate_secret: z.boolean({ error: "must be true or false" }).optional(),
  });
}

export type SetWebhookSchema = ReturnType<typeof setWebhookSchema>;
