/** A configuration or deployment the server will not start on; its message says what to change. */
export class StartupError extends Error {}
