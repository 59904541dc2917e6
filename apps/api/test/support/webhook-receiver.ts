import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered with: only a 2xx counts as delivered. */
  status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request. It can go down (its port closed, so
 * attempts are refused) and come back on the same port, or answer with another status.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | undefined;
  private port = 0;
  /** What the receiver answers; a function may also set headers (e.g. a redirect's Location). */
  status = 204;
  location: string | undefined;
  private waiters: Array<() => void> = [];
  /** While true, requests are read and recorded but not answered until release(). */
  hold = false;
  private held: Array<() => void> = [];
  /** Requests being answered right now, and the most there ever were at once. */
  open = 0;
  maxOpen = 0;
  /** Requests that arrived, answered or not. */
  arrivals = 0;
  /** TCP connections the receiver accepted (a sender reusing connections opens far fewer than it sends requests). */
  connections = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/kubbi`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      this.arrivals += 1;
      this.open += 1;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      let closed = false;
      res.on("close", () => {
        closed = true;
        this.open -= 1;
      });
      req.on("end", () => {
        const answer = () => {
          // The sender gave up on it (its attempt timed out): nothing was delivered.
          if (closed) return;
          this.received.push({
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            status: this.status,
          });
          if (this.location) res.setHeader("location", this.location);
          res.statusCode = this.status;
          res.end(this.status >= 300 ? "not for you: a body the sender must not keep" : "");
          for (const wake of this.waiters.splice(0)) wake();
        };
        if (this.hold) this.held.push(answer);
        else answer();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    this.server.on("connection", () => {
      this.connections += 1;
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Answers every held request, and stops holding. */
  release(): void {
    this.hold = false;
    for (const answer of this.held.splice(0)) answer();
  }

  /** Down: the port is closed and open connections are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `done` holds over what was received (checked on each arrival), or fails after timeoutMs. */
  async until(done: (received: ReceivedWebhook[]) => boolean, timeoutMs = 25_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      // (arrivals and open change without an answer: the 250 ms recheck below sees them.)
      if (Date.now() > deadline) throw new Error(`receiver: condition not met; got ${this.received.length} requests`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
    return this.received;
  }

  /** What was delivered (answered 2xx), parsed, in arrival order; id is the webhook-id header. */
  delivered(): Array<{ id: string; type: string; timestamp: string; data: Record<string, any> }> {
    return this.received
      .filter(({ status }) => status >= 200 && status < 300)
      .map(({ headers, body }) => ({ id: String(headers["webhook-id"]), ...JSON.parse(body) }));
  }
}
