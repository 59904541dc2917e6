import { request } from "node:http";

interface SplitPost {
  /** The status and body text, once the response has ended. */
  response: Promise<{ status: number; body: string }>;
  /** Sends the rest of the body and ends the request (nothing to do when all of it went out at once). */
  finish(): void;
}

/**
 * A POST through node:http, which (unlike fetch) sends any Host header and lets a body stall: the first
 * `sentFirst` characters of the body go out now, the rest when `finish` is called; by default all at once.
 */
export function splitPost(
  url: string,
  headers: Record<string, string>,
  body: string,
  sentFirst = body.length,
): SplitPost {
  const req = request(url, {
    method: "POST",
    headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, sentFirst));
  const rest = body.slice(sentFirst);
  if (!rest) req.end();
  return {
    response,
    finish: () => {
      if (rest) req.end(rest);
    },
  };
}
