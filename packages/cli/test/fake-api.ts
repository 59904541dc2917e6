/**
 * A tiny stand-in for the kubbi API that plays a malicious or compromised server: it answers each
 * "METHOD /path" with whatever JSON the test gives, including what the real API would refuse to store.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAnswer {
  status?: number;
  body: unknown;
}

export interface FakeApi {
  origin: string;
  /** How many requests each "METHOD /path" got. */
  hits: (route: string) => number;
  close: () => Promise<void>;
}

/** Unknown routes answer 404 in the API's envelope. */
export async function startFakeApi(routes: Record<string, FakeAnswer | (() => FakeAnswer)>): Promise<FakeApi> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const route = `${req.method} ${req.url}`;
    hits.set(route, (hits.get(route) ?? 0) + 1);
    const found = routes[route];
    const answer =
      typeof found === "function"
        ? found()
        : (found ?? { status: 404, body: { error: "not_found", message: "no", messages: [], request_id: null } });
    req.resume();
    res.statusCode = answer.status ?? 200;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: (route) => hits.get(route) ?? 0,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
