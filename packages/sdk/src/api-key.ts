/**
 * What an API key is and how a request carries it, in one place for the API (which checks keys before
 * they reach storage) and the MCP tools (which refuse to send a malformed one).
 */

/** `kb_` and 43 (as the server makes them) to 128 base64url characters. */
export const API_KEY_PATTERN = /^kb_[A-Za-z0-9_-]{43,128}$/;

export const isWellFormedApiKey = (candidate: string): boolean => API_KEY_PATTERN.test(candidate);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The credential of an `Authorization: Bearer <credential>` header (scheme case-insensitive), or undefined. */
export const bearerCredential = (authorization: string | undefined): string | undefined =>
  authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
