import { ERROR_STATUS, type ErrorBody as WireErrorBody, type ErrorCode } from "@kubbi/openapi";

// Every error code and its HTTP status come from the spec (x-http-status on ErrorCode): the one table.
export type { ErrorCode };

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

/** The one place the error envelope is built. */
export function errorBody(error: ApiError, requestId: string): WireErrorBody {
  return { error: error.code, message: error.message, messages: error.messages, request_id: requestId };
}

export const validationError = (messages: string[]) => new ApiError("validation_error", messages.join("; "), messages);

export const notFound = () => new ApiError("not_found", "No kubbi was found for this id or claim token.");

const GONE_MESSAGES = {
  burned: "This kubbi has been burned: its last allowed retrieval was used and the payload is gone.",
  expired: "This kubbi has expired: its time to live has passed and the payload is gone.",
  deleted: "This kubbi was deleted by its producer and the payload is gone.",
} as const;

export type GoneReason = keyof typeof GONE_MESSAGES;

export const gone = (reason: GoneReason) => new ApiError(reason, GONE_MESSAGES[reason]);
