import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/errors.js";
import { BodyReader } from "../src/http/body-reader.js";
import { parseResponse, rawClient } from "./support/raw-http.js";

const LIMIT = 100;

/** An app that reads each POST body with the reader (limit 100 bytes) and answers its length, or the error's code. */
function bodyEchoApp() {
  const reader = new BodyReader({ largeBodySlots: 1, timeoutMs: 10_000, minBytesPerSecond: 1 });
  const app = express();
  app.post("/:when", async (req, res) => {
    // "later": read a turn of the event loop after the headers, as when authentication waited for Redis.
    if (req.params.when === "later") await new Promise((resolve) => setImmediate(resolve));
    try {
      const body = await reader.read(req, res, {
        limit: LIMIT,
        keyId: "key_test",
        tooLarge: () => new ApiError("payload_too_large", "too large"),
      });
      res.json({ bytes: body?.toString("utf8") });
    } catch (error) {
      res.status(400).json({ error: (error as ApiError).code });
    }
  });
  return app;
}

/** Sends the parts as separate writes (a pause between them), and reads the answer's JSON body. */
async function send(port: number, parts: string[]): Promise<Record<string, unknown>> {
  const client = await rawClient(`http://127.0.0.1:${port}`);
  for (const [index, part] of parts.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    client.write(part);
  }
  return JSON.parse(parseResponse(await client.closed).body) as Record<string, unknown>;
}

const head = (framing: string, when = "now") =>
  `POST /${when} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${framing}\r\n`;
const chunked = (body: string) => `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;

describe("the body reader", () => {
  let server: ReturnType<ReturnType<typeof express>["listen"]>;
  let port: number;
  beforeAll(async () => {
    server = bodyEchoApp().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each(["now", "later"])(
    "a body that arrived with its headers, read %s, sets no deadline or rate-check timer",
    async (when) => {
      const [intervals, timeouts] = [vi.spyOn(globalThis, "setInterval"), vi.spyOn(globalThis, "setTimeout")];
      try {
        expect(await send(port, [`${head("Content-Length: 5\r\n", when)}hello`])).toEqual({ bytes: "hello" });
        expect(await send(port, [`${head("Transfer-Encoding: chunked\r\n", when)}${chunked("chunky")}`])).toEqual({
          bytes: "chunky",
        });
        expect(intervals).not.toHaveBeenCalled();
        expect(timeouts.mock.calls.filter(([, ms]) => ms === 10_000)).toEqual([]);
      } finally {
        intervals.mockRestore();
        timeouts.mockRestore();
      }
    },
  );

  it("reads a body still arriving under the deadline and the rate check", async () => {
    const intervals = vi.spyOn(globalThis, "setInterval");
    try {
      expect(await send(port, [head("Content-Length: 11\r\n"), "hello", " world"])).toEqual({ bytes: "hello world" });
      expect(intervals).toHaveBeenCalledTimes(1);
    } finally {
      intervals.mockRestore();
    }
  });

  it("refuses a chunked body over the limit, whether it arrived whole or in parts", async () => {
    const oversized = "x".repeat(LIMIT + 1);
    expect(await send(port, [`${head("Transfer-Encoding: chunked\r\n")}${chunked(oversized)}`])).toEqual({
      error: "payload_too_large",
    });
    expect(await send(port, [head("Transfer-Encoding: chunked\r\n"), chunked(oversized)])).toEqual({
      error: "payload_too_large",
    });
    expect(await send(port, [`${head("Transfer-Encoding: chunked\r\n")}${chunked("x".repeat(LIMIT))}`])).toEqual({
      bytes: "x".repeat(LIMIT),
    });
  });
});
