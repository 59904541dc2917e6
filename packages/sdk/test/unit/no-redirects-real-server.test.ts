/**
 * The SSRF read, end to end over real sockets: a claim URL's host redirects to a second local server
 * that holds a secret (standing in for a cloud metadata endpoint or an internal admin page). Node's
 * fetch would follow it; the SDK must not, so the secret server never sees a request.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claim, inspect, isKubbiApiError } from "../../src/index.js";

const TOKEN = "A".repeat(43);
const SECRET = "internal-secret-9f2c";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let secretHits = 0;
const secretServer = createServer((_req, res) => {
  secretHits++;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ error: "x", message: SECRET, content: SECRET }));
});
let secretOrigin: string;
const redirector = createServer((req, res) => {
  res.statusCode = req.method === "POST" ? 307 : 302;
  res.setHeader("location", `${secretOrigin}/computeMetadata/v1/token`);
  res.end();
});
let redirectOrigin: string;

beforeAll(async () => {
  secretOrigin = await listen(secretServer);
  redirectOrigin = await listen(redirector);
});
afterAll(async () => {
  await Promise.all([secretServer, redirector].map((server) => new Promise((done) => server.close(done))));
});

describe("a redirect to another local server", () => {
  it("is refused by inspect and claim, naming the target origin, and the secret server is never read", async () => {
    const url = `${redirectOrigin}/r/${TOKEN}`;
    for (const call of [inspect(url), claim(url), claim(url, { allowedOrigins: [redirectOrigin, secretOrigin] })]) {
      const error = await call.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isKubbiApiError(error) && error.code).toBe("redirect");
      expect((error as Error).message).toContain(`${redirectOrigin} answered with a redirect to ${secretOrigin}`);
      expect((error as Error).message).not.toContain(SECRET);
    }
    expect(secretHits).toBe(0);
  });
});
