import { ApiError, validationError } from "../errors.js";
import { parseObjectBody } from "../validation/create-kubbi.js";
import type { SetWebhookSchema } from "../validation/set-webhook.js";
import { endpointJson } from "../webhooks/endpoint.js";
import { saveEndpoint } from "../webhooks/endpoint-config.js";
import type { Producer, ServiceContext } from "./context.js";

const noEndpoint = () => new ApiError("not_found", "No webhook endpoint is set for this API key.");

/** PUT /api/v1/webhook: 201 with the secret when created, 200 (with a secret only when rotated) when changed. */
export async function setWebhook(context: ServiceContext, schema: SetWebhookSchema, producer: Producer, body: unknown) {
  const parsed = parseObjectBody(schema, body);
  if ("problems" in parsed) throw validationError(parsed.problems);
  const { url, events, rotate_secret } = parsed.input;
  const saved = await saveEndpoint(
    context.webhooks,
    context.sealer,
    producer.keyId,
    { url, events: events ?? null, rotateSecret: rotate_secret ?? false },
    context.now(),
  );
  return {
    status: saved.created ? 201 : 200,
    body: { ...endpointJson(saved.endpoint), ...(saved.secret === undefined ? {} : { secret: saved.secret }) },
  };
}

export async function getWebhook(context: ServiceContext, producer: Producer) {
  const endpoint = await context.webhooks.getEndpoint(producer.keyId);
  if (!endpoint) throw noEndpoint();
  return endpointJson(endpoint);
}

export async function deleteWebhook(context: ServiceContext, producer: Producer) {
  if (!(await context.webhooks.deleteEndpoint(producer.keyId))) throw noEndpoint();
  return { deleted: true };
}
