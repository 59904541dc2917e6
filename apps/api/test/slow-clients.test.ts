import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { consumer } from "./support/http.js";
import { openSockets, parseResponse, rawClient, rssMiB, type RawClient } from "./support/raw-http.js";
import { newRequestBody } from "./support/request-body.js";
import { useStack, type Stack } from "./support/stacks.js";

const MIB = 1024 * 1024;

/** A create body holding `files` binary files of `fileBytes` each. */
function packageBody(label: string, files: number, fileBytes: number): string {
  return JSON.stringify({
    files: Array.from({ length: files }, (_, index) => ({
      name: `${label}-${index}.bin`,
      content: Buffer.alloc(fileBytes, index + 1).toString("base64"),
      content_type: "application/octet-stream",
      encoding: "base64",
    })),
    ttl_seconds: 300,
  });
}

const chunkedCreateHead = (apiKey: string) =>
  `POST /api/v1/kubbis HTTP/1.1\r\nHost: kubbi\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;

/** A chunked create that sends its first `bytes` and then stalls, as a slow or hostile uploader does. */
async function stalledChunkedCreate(stack: Stack, apiKey: string, bytes: number): Promise<RawClient> {
  const client = await rawClient(stack.api.baseUrl);
  client.write(chunkedCreateHead(apiKey) + chunk(packageBody("stalled", 1, 2 * MIB).slice(0, bytes)));
  return client;
}

/** A create whose body is a stream, so fetch sends it chunked (no Content-Length). */
function chunkedCreate(stack: Stack, apiKey: string, body: string): Promise<Response> {
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
  return fetch(`${stack.api.baseUrl}/api/v1/kubbis`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: stream,
    duplex: "half",
    // A safety net only: a blocked create would otherwise hang the test.
    signal: AbortSignal.timeout(20_000),
  } as RequestInit);
}

describe("large-body slots: at most one per key, and small chunked bodies stay out", () => {
  // Two server-wide slots, the default.
  const stack = useStack("redis");

  it("two slow chunked uploads from one key do not block another key's large create", async () => {
    const slowUploads = [
      await stalledChunkedCreate(stack, stack.api.apiKey, 1.5 * MIB),
      await stalledChunkedCreate(stack, stack.api.apiKey, 1.5 * MIB),
    ];
    // Gives the server time to read both past 1 MiB. Before the fix they took both slots.
    await sleep(300);
    const other = await fetch(`${stack.api.baseUrl}/api/v1/kubbis`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.secondApiKey}`, "content-type": "application/json" },
      body: packageBody("other-key", 1, 2 * MIB),
      signal: AbortSignal.timeout(20_000),
    });
    expect(other.status).toBe(201);
    // The slow uploads are still waiting for their bytes: nothing was answered or cut.
    expect(slowUploads.map((upload) => upload.received())).toEqual(["", ""]);
    for (const upload of slowUploads) upload.socket.destroy();
  });

  it("a small chunked create is answered while every large-body slot is held", async () => {
    const slowUploads = [
      await stalledChunkedCreate(stack, stack.api.apiKey, 1.5 * MIB),
      await stalledChunkedCreate(stack, stack.api.secondApiKey, 1.5 * MIB),
    ];
    await sleep(300);
    const small = await chunkedCreate(
      stack,
      stack.api.apiKey,
      JSON.stringify({ content: "small and chunked", content_type: "text/plain", ttl_seconds: 60 }),
    );
    expect(small.status).toBe(201);
    for (const upload of slowUploads) upload.socket.destroy();
  });

  it("a key's large creates run one at a time and all succeed", async () => {
    const replies = await Promise.all(
      [1, 2, 3].map((index) =>
        chunkedCreate(stack, stack.api.apiKey, packageBody(`sequential-${index}`, 1, 1.5 * MIB)).then(
          (reply) => reply.status,
        ),
      ),
    );
    expect(replies).toEqual([201, 201, 201]);
  });
});

describe("the body-read deadline", () => {
  const stack = useStack("redis", { env: { KUBBI_BODY_TIMEOUT_MS: "1500" } });

  it("a slow-loris upload is cut off at the deadline with a 408 envelope and its connection closed", async () => {
    const client = await rawClient(stack.api.baseUrl);
    client.write(chunkedCreateHead(stack.api.apiKey) + chunk('{"content":"'));
    // One byte every 200 ms, forever: without a deadline this holds the connection indefinitely.
    const drip = setInterval(() => client.write(chunk("x")), 200);
    const reply = parseResponse(await client.closed);
    clearInterval(drip);
    expect(reply.status).toBe(408);
    expect(reply.headers.connection).toBe("close");
    expect(JSON.parse(reply.body)).toMatchObject({
      error: "request_timeout",
      message: "The request body did not arrive within 1500 ms.",
    });
    expect(JSON.parse(reply.body).request_id).toBe(reply.headers["x-request-id"]);
  });

  it("a request link's delivery that stalls is cut off the same way, and the link stays open for a real delivery", async () => {
    const created = await fetch(`${stack.api.baseUrl}/api/v1/requests`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.api.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(newRequestBody({ description: "a slow filler" })),
    });
    expect(created.status).toBe(201);
    const fillPath = new URL(((await created.json()) as { fill_url: string }).fill_url).pathname;
    const client = await rawClient(stack.api.baseUrl);
    client.write(
      `POST ${fillPath} HTTP/1.1\r\nHost: kubbi\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n${chunk("k")}`,
    );
    const drip = setInterval(() => client.write(chunk("x")), 200);
    const reply = parseResponse(await client.closed);
    clearInterval(drip);
    expect(reply.status).toBe(408);
    expect(JSON.parse(reply.body)).toMatchObject({ error: "request_timeout" });
    // Still open: a taken, expired or cancelled link answers 409 or 410 here.
    expect((await fetch(`${stack.api.baseUrl}${fillPath}/info`)).status).toBe(200);
  });
});

describe("the minimum body rate", () => {
  const stack = useStack("redis", { env: { KUBBI_BODY_MIN_BYTES_PER_SECOND: "1000" } });

  it("an upload that keeps trickling below the minimum rate is cut off with a 408 envelope", async () => {
    const client = await rawClient(stack.api.baseUrl);
    client.write(chunkedCreateHead(stack.api.apiKey) + chunk('{"content":"'));
    // About 10 bytes a second, well under 1000: the 60 s deadline alone would let it run on.
    const drip = setInterval(() => client.write(chunk("x")), 100);
    const reply = parseResponse(await client.closed);
    clearInterval(drip);
    expect(reply.status).toBe(408);
    expect(JSON.parse(reply.body)).toMatchObject({
      error: "request_timeout",
      message: "The request body arrived slower than 1000 bytes a second.",
    });
  }, 30_000);
});

describe("clients that claim and never read", () => {
  const stack = useStack("redis", {
    env: { KUBBI_WRITE_TIMEOUT_MS: "200", KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "10000" },
  });

  it("100 non-reading claimers of a large package leave memory bounded, are disconnected, and a reading client is still served", async () => {
    // 4 x 1 MiB: a claim response well over what loopback's socket buffers absorb, so a client
    // that does not read leaves it in the server's memory.
    const created = await stack.producer.createRaw(packageBody("big", 4, MIB), { "content-type": "application/json" });
    expect(created.status).toBe(201);
    const claimUrl = created.body.claim_url as string;
    const claimRequest = `POST /r/${claimUrl.split("/r/")[1]}/claim HTTP/1.1\r\nHost: kubbi\r\nContent-Length: 0\r\n\r\n`;
    // A first, normal claim: the baseline includes whatever first use allocates.
    expect((await consumer.claim(claimUrl)).body.files).toHaveLength(4);
    const pid = stack.api.child.pid!;
    const baselineRss = rssMiB(pid);
    const baselineSockets = openSockets(pid);

    const claimers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const client = await rawClient(stack.api.baseUrl, { read: false });
        client.write(claimRequest);
        return client;
      }),
    );
    let peakRss = baselineRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 50);
    try {
      // A reading client is served alongside them: an inspect at once, a large claim once a slot is free.
      expect((await consumer.inspect(claimUrl)).status).toBe(200);
      const reading = await consumer.claim(claimUrl);
      expect(reading.status).toBe(200);
      expect(reading.body.files.map((file: { size_bytes: number }) => file.size_bytes)).toEqual([MIB, MIB, MIB, MIB]);
      // The server drops every non-reader (the clients never close their side).
      await vi.waitFor(() => expect(openSockets(pid)).toBeLessThanOrEqual(baselineSockets), {
        timeout: 90_000,
        interval: 100,
      });
    } finally {
      clearInterval(sampler);
      for (const client of claimers) client.socket.destroy();
    }
    // Held whole, 100 responses of ~5.6 MB each are over 1 GB; gated, a few are in memory at a time.
    expect(peakRss - baselineRss).toBeLessThan(400);
  }, 120_000);
});

describe("silent and idle connections", () => {
  const stack = useStack("redis", { env: { KUBBI_HEADERS_TIMEOUT_MS: "1000", KUBBI_KEEP_ALIVE_TIMEOUT_MS: "1000" } });

  it("300 silent connections: a normal client is still served, and the server closes every silent one with 408", async () => {
    const silent = await Promise.all(Array.from({ length: 300 }, () => rawClient(stack.api.baseUrl)));
    expect((await fetch(`${stack.api.baseUrl}/healthz`)).status).toBe(200);
    // Node's default would wait 60 s for headers, checked every 30 s.
    const outcomes = await Promise.all(silent.map((client) => client.closed));
    expect(outcomes.filter((raw) => raw.startsWith("HTTP/1.1 408")).length).toBe(300);
  });

  it("an idle keep-alive connection is closed after KUBBI_KEEP_ALIVE_TIMEOUT_MS, and says so in Keep-Alive", async () => {
    const client = await rawClient(stack.api.baseUrl);
    client.write("GET /healthz HTTP/1.1\r\nHost: kubbi\r\n\r\n");
    const raw = await client.closed;
    const reply = parseResponse(raw);
    expect(reply.status).toBe(200);
    expect(reply.headers["keep-alive"]).toBe("timeout=1");
  });
});

describe("the connection cap", () => {
  // Silent connections are held for the whole test: the headers timeout never frees them here.
  const stack = useStack("redis", { env: { KUBBI_MAX_CONNECTIONS: "50", KUBBI_HEADERS_TIMEOUT_MS: "60000" } });

  it("connections beyond KUBBI_MAX_CONNECTIONS are refused at accept, and clients are served again once they go", async () => {
    const held: RawClient[] = [];
    for (let index = 0; index < 80; index++) held.push(await rawClient(stack.api.baseUrl));
    await vi.waitFor(() => expect(held.filter((client) => client.socket.closed).length).toBe(30), { timeout: 10_000 });
    expect(held.filter((client) => client.socket.closed).map((client) => client.received())).toEqual(
      Array(30).fill(""),
    );
    for (const client of held) client.socket.destroy();
    await vi.waitFor(async () => expect((await fetch(`${stack.api.baseUrl}/healthz`)).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
  });
});
