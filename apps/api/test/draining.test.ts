import { describe, expect, it, vi } from "vitest";
import { parseResponse, rawClient, type RawClient } from "./support/raw-http.js";
import { startStack, type Stack } from "./support/stacks.js";

const createBody = JSON.stringify({
  content: "sent while the server drains",
  content_type: "text/plain",
  ttl_seconds: 60,
});
const HALF = 20;

/** A keep-alive connection the server has certainly accepted: one request on it was answered. */
async function servedConnection(stack: Stack): Promise<RawClient> {
  const client = await rawClient(stack.api.baseUrl);
  client.write("GET /healthz HTTP/1.1\r\nHost: kubbi\r\n\r\n");
  await vi.waitFor(() => expect(client.received()).toContain('{"status":"ok"}'));
  return client;
}

/** A create that has sent its headers and the first bytes of its body, and waits to send the rest. */
async function halfSentCreate(stack: Stack): Promise<RawClient> {
  const client = await servedConnection(stack);
  client.write(
    `POST /api/v1/kubbis HTTP/1.1\r\nHost: kubbi\r\nAuthorization: Bearer ${stack.api.apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(createBody)}\r\n\r\n${createBody.slice(0, HALF)}`,
  );
  return client;
}

/** Sends SIGTERM and waits until the server says it is draining; `exited` resolves with the exit code. */
async function startDraining(stack: Stack): Promise<{ exited: Promise<number | null> }> {
  const exited = new Promise<number | null>((resolve) => stack.api.child.once("exit", resolve));
  stack.api.child.kill("SIGTERM");
  await vi.waitFor(() => expect(stack.api.output()).toContain("shutting down"), { timeout: 10_000 });
  return { exited };
}

/** The last response on a connection (each test connection starts with one answered health check). */
const lastResponse = (raw: string) => raw.slice(raw.lastIndexOf("HTTP/1.1 "));

describe("draining on SIGTERM", () => {
  it("responses to requests in flight when draining starts say Connection: close", async () => {
    const stack = await startStack("redis");
    try {
      const upload = await halfSentCreate(stack);
      const answered = upload.received().length;
      const { exited } = await startDraining(stack);
      upload.write(createBody.slice(HALF));
      const reply = parseResponse((await upload.closed).slice(answered));
      expect(reply.status).toBe(201);
      expect(reply.headers.connection).toBe("close");
      expect(await exited).toBe(0);
    } finally {
      await stack.stop();
    }
  });

  it("idle keep-alive connections are closed as soon as draining starts", async () => {
    const stack = await startStack("redis");
    try {
      const idle = await servedConnection(stack);
      const upload = await halfSentCreate(stack); // keeps the process draining
      const answered = upload.received().length;
      const { exited } = await startDraining(stack);

      await idle.closed;
      // Closed while a request elsewhere is still in flight, not merely at exit.
      expect(upload.received().length).toBe(answered);
      upload.write(createBody.slice(HALF));
      const rest = await upload.closed;
      expect(parseResponse(rest.slice(answered)).status).toBe(201);
      expect(await exited).toBe(0);
    } finally {
      await stack.stop();
    }
  });

  it("a request whose body is still arriving at the grace limit gets a 503 envelope, not a reset", async () => {
    const stack = await startStack("redis", { env: { KUBBI_SHUTDOWN_GRACE_MS: "500" } });
    try {
      const upload = await halfSentCreate(stack);
      const { exited } = await startDraining(stack);
      // The rest of the body never comes.
      const reply = parseResponse(lastResponse(await upload.closed));
      expect(reply.status).toBe(503);
      expect(reply.headers.connection).toBe("close");
      expect(JSON.parse(reply.body)).toMatchObject({
        error: "service_unavailable",
        request_id: reply.headers["x-request-id"],
      });
      expect(await exited).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});
