import type { Express, Response } from "express";

/**
 * Once a response starts, a client that takes none of it for `timeoutMs` is disconnected: the
 * socket's idle timer runs from the first header byte, and Node destroys a socket whose timeout
 * nobody listens for. Before the response (queued for a slot, reading a body) other limits apply;
 * after it, keep-alive has its own idle limit, which Node sets when the response finishes.
 *
 * Every response of this app passes through writeHead, explicit or implicit (res.send and res.end
 * call it), once; it is replaced on the app's response prototype, so no request pays for a wrapper.
 */
export function applyWriteTimeout(app: Express, timeoutMs: number): void {
  const writeHead = app.response.writeHead;
  app.response.writeHead = function (this: Response, ...args: unknown[]) {
    this.socket?.setTimeout(timeoutMs);
    return Reflect.apply(writeHead, this, args) as Response;
  } as Response["writeHead"];
}
