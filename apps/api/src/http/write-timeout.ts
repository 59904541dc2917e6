import type { NextFunction, Request, Response } from "express";

/**
 * Once a response starts, a client that takes none of it for `timeoutMs` is disconnected: the
 * socket's idle timer runs from the first header byte, and Node destroys a socket whose timeout
 * nobody listens for. Before the response (queued for a slot, reading a body) other limits apply;
 * after it, keep-alive has its own idle limit, which Node sets when the response finishes.
 */
export function writeTimeout(timeoutMs: number) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const writeHead = res.writeHead;
    // Every response passes here, explicit or implicit (res.send calls it), once.
    res.writeHead = function (this: Response, ...args: unknown[]) {
      this.socket?.setTimeout(timeoutMs);
      return Reflect.apply(writeHead, this, args) as Response;
    } as Response["writeHead"];
    next();
  };
}
