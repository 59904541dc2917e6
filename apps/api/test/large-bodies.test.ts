import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { ConcurrencyGate } from "../src/http/concurrency-gate.js";
import { parseResponse, rawClient } from "./support/raw-http.js";
import { splitPost } from "./support/split-post.js";
import { useStack } from "./support/stacks.js";

describe("the large-body gate", () => {
  it("lets at most N holders in, in arrival order, and a double release frees one slot only", async () => {
    const gate = new ConcurrencyGate(2);
    const order: string[] = [];
    const first = await gate.acquire();
    const second = await gate.acquire();
    const third = gate.acquire().then((release) => {
      order.push("third");
      return release;
    });
    const fourth = gate.acquire().then((release) => {
      order.push("fourth");
      return release;
    });
    await sleep(10);
    expect(order).toEqual([]);
    first();
    first();
    const releaseThird = await third;
    await sleep(10);
    expect(order).toEqual(["third"]);
    second();
    (await fourth)();
    releaseThird();
    expect(order).toEqual(["third", "fourth"]);
  });
});

describe("large creates on a server that reads one large body at a time", () => {
  const stack = useStack("redis", { env: { KUBBI_MAX_CONCURRENT_LARGE_BODIES: "1" } });

  const largeBody = (label: string) =>
    JSON.stringify({
      files: [
        {
          name: `${label}.bin`,
          content: Buffer.alloc(2 * 1024 * 1024, 1).toString("base64"),
          content_type: "application/octet-stream",
          encoding: "base64",
        },
      ],
      ttl_seconds: 60,
    });

  /** Starts a create; with `stall`, only half the body is sent until `finish` is called. */
  function startCreate(body: string, stall: boolean) {
    const headers = { authorization: `Bearer ${stack.api.apiKey}`, "content-type": "application/json" };
    const post = splitPost(
      `${stack.api.baseUrl}/api/v1/kubbis`,
      headers,
      body,
      stall ? Math.floor(body.length / 2) : body.length,
    );
    return { done: post.response.then(({ status }) => status), finish: post.finish };
  }

  it("a second large body waits until the first is done; both succeed", async () => {
    const completed: string[] = [];
    const stalled = startCreate(largeBody("first"), true);
    await sleep(200);
    const waiting = startCreate(largeBody("second"), false);
    void waiting.done.then(() => completed.push("second"));
    void stalled.done.then(() => completed.push("first"));
    // Ungated, the complete second body would be answered while the first is still stalled.
    await sleep(500);
    expect(completed).toEqual([]);
    stalled.finish();
    expect(await stalled.done).toBe(201);
    expect(await waiting.done).toBe(201);
    expect(completed).toEqual(["first", "second"]);
  });

  it("small bodies are never held behind a large one", async () => {
    const stalled = startCreate(largeBody("blocker"), true);
    await sleep(200);
    const small = await stack.producer.create({ content: "small", content_type: "text/plain", ttl_seconds: 60 });
    expect(small.status).toBe(201);
    stalled.finish();
    expect(await stalled.done).toBe(201);
  });

  it("a single binary file of several MiB is accepted and comes back whole", async () => {
    // Validating its base64 once overflowed the regex engine's stack: a 500 for a file within the plan.
    const bytes = Buffer.alloc(6 * 1024 * 1024, 9);
    const body = JSON.stringify({
      files: [
        {
          name: "big.bin",
          content: bytes.toString("base64"),
          content_type: "application/octet-stream",
          encoding: "base64",
        },
      ],
      ttl_seconds: 60,
    });
    const created = await stack.producer.createRaw(body, { "content-type": "application/json" });
    expect(created.status).toBe(201);
    const claimed = await fetch(`${created.body.claim_url}/claim`, { method: "POST" }).then(
      (reply) => reply.json() as Promise<{ files: Array<{ content: string }> }>,
    );
    expect(Buffer.from(claimed.files[0]!.content, "base64").equals(bytes)).toBe(true);
  });

  // Closing on a client that is still writing makes the kernel answer its next bytes with a reset, and a
  // reset discards the 413 the client has not read yet: under load that surfaced as "fetch failed".
  it("a client that goes on sending a refused body reads its 413, and its connection is never reset", async () => {
    const client = await rawClient(stack.api.baseUrl);
    let failure: NodeJS.ErrnoException | undefined;
    client.socket.on("error", (error) => (failure = error));
    const announced = 64 * 1024 * 1024;
    client.write(
      `POST /api/v1/kubbis HTTP/1.1\r\nHost: kubbi\r\nAuthorization: Bearer ${stack.api.apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${announced}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    client.write(chunk);
    await vi.waitFor(() => expect(client.received()).toContain("\r\n\r\n"), { timeout: 20_000 });
    expect(parseResponse(client.received()).status).toBe(413);
    // Four more MiB after the answer: every write lands, none is answered with a reset.
    for (let sent = 0; sent < 4 * 1024 * 1024; sent += chunk.length) {
      await new Promise<void>((resolve, reject) =>
        client.socket.write(chunk, (error) => (error ? reject(error) : resolve())),
      );
    }
    await sleep(200);
    expect(failure).toBeUndefined();
    client.socket.destroy();
  }, 60_000);

  it("a refused body that keeps coming is thrown away for a few seconds only, then its connection is cut", async () => {
    const client = await rawClient(stack.api.baseUrl);
    client.write(
      `POST /api/v1/kubbis HTTP/1.1\r\nHost: kubbi\r\nAuthorization: Bearer ${stack.api.apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`,
    );
    const trickle = setInterval(() => client.socket.writable && client.write(Buffer.alloc(1024, 0x20)), 100);
    try {
      const received = await client.closed;
      expect(parseResponse(received).status).toBe(413);
    } finally {
      clearInterval(trickle);
    }
  }, 60_000);
});
