/** Where debug output goes. `console` fits. */
export interface KubbiLogger {
  debug(message: string, details?: Record<string, unknown>): void;
}

/**
 * Hides the claim token in a URL. The token is the capability to read the payload,
 * so it never reaches a log, not even in debug mode.
 */
export function maskClaimToken(url: string): string {
  return url.replace(/\/(r|f)\/[^/?#]+/, "/$1/[token]");
}
