export {
  KubbiClient,
  DEFAULT_BASE_URL,
  type KubbiClientOptions,
  type KubbiListRequest,
  type ClientConsumerOptions,
} from "./client.js";
export { claim, inspect, type ConsumerOptions } from "./consumer.js";
export {
  fulfil,
  inspectFillUrl,
  RequestHandle,
  type FillRequestInfo,
  type FulfilParams,
  type FulfilResult,
  type RequestHandleJson,
  type RequestParams,
  type RequestState,
  type RequestStatus,
  type WaitOptions,
} from "./requests.js";
export {
  verifyWebhook,
  KubbiWebhookVerificationError,
  type KubbiWebhookEvent,
  type VerifyWebhookOptions,
} from "./webhooks.js";
export type { ClaimTargetOptions } from "./claim-target.js";
export type { FetchLike, RequestOptions } from "./request.js";
export type { KubbiLogger } from "./log.js";
export { formatBytes, parseBytes, parsePositiveInt } from "./text.js";
export {
  KubbiError,
  KubbiUsageError,
  KubbiOriginNotAllowedError,
  KubbiApiError,
  KubbiNotFoundError,
  KubbiGoneError,
  KubbiValidationError,
  KubbiAuthenticationError,
  KubbiQuotaExceededError,
  KubbiNetworkError,
  KubbiTimeoutError,
  isKubbiError,
  isKubbiUsageError,
  isKubbiOriginNotAllowedError,
  isKubbiApiError,
  isKubbiNotFoundError,
  isKubbiGoneError,
  isKubbiValidationError,
  isKubbiAuthenticationError,
  isKubbiQuotaExceededError,
  isKubbiNetworkError,
  isKubbiTimeoutError,
  type KubbiGoneReason,
  type KubbiApiErrorInit,
} from "./errors.js";
export type * from "./types.js";
// The contract's constants, generated from the OpenAPI spec and bundled in at build time (no runtime dependency).
export { ERROR_CODES, FILE_ROLES, KUBBI_STATUSES, KUBBI_TYPES, LIMITS, SINGLE_CONTENT_TYPES } from "@kubbi/openapi";
export type { ErrorCode as KubbiErrorCode } from "@kubbi/openapi";
