export { KubbiClient, DEFAULT_BASE_URL, type KubbiClientOptions, type KubbiListRequest, type ClientConsumerOptions } from "./client.js";
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
export type { ClaimTargetOptions } from "./claim-target.js";
export type { FetchLike, RequestOptions } from "./request.js";
export type { KubbiLogger } from "./log.js";
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
