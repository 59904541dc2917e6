/** Every error code the API returns, and its HTTP status: the one table. */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  already_fulfilled: 409,
  idempotency_in_progress: 409,
  burned: 410,
  expired: 410,
  deleted: 410,
  cancelled: 410,
  payload_too_large: 413,
  file_limit_exceeded: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  quota_exceeded: 429,
  rate_limited: 429,
  decrypt_failed: 500,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A rejection the routes throw; the error handler turns it into the envelope. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly messages: string[] = [],
    readonly retryAfterSeconds?: number,
    /** Logged with a 5xx for the operator, never sent to the client. */
    readonly logDetail?: Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  messages: string[];
  request_id: string;
}

/** The one place the error envelope is built. */
export function errorBody(error: ApiError, requestId: string): ErrorBody {
  return { error: error.code, message: error.message, messages: error.messages, request_id: requestId };
}

export const validationError = (messages: string[]) =>
  new ApiError("validation_error", messages.join("; "), messages);

export const notFound = () => new ApiError("not_found", "No kubbi was found for this id or claim token.");

const GONE_MESSAGES = {
  burned: "This kubbi has been burned: its last allowed retrieval was used and the payload is gone.",
  expired: "This kubbi has expired: its time to live has passed and the payload is gone.",
  deleted: "This kubbi was deleted by its producer and the payload is gone.",
} as const;

export type GoneReason = keyof typeof GONE_MESSAGES;

export const gone = (reason: GoneReason) => new ApiError(reason, GONE_MESSAGES[reason]);
