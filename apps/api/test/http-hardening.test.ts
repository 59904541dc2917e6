import { describe, expect, it } from "vitest";
import { expectEnvelope, call } from "./support/http.js";
import { parseResponse, rawClient } from "./support/raw-http.js";
import { useStack } from "./support/stacks.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("claim-page assets", () => {
  const stack = useStack("redis");

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "/assets/%s is 404, not a member of Object.prototype",
    async (name) => {
      expectEnvelope(await call(`${stack.api.baseUrl}/assets/${name}`), 404, "not_found");
    },
  );

  it("the real assets are still served", async () => {
    expect((await fetch(`${stack.api.baseUrl}/assets/claim.js`)).status).toBe(200);
    expect((await fetch(`${stack.api.baseUrl}/assets/claim.css`)).status).toBe(200);
  });
});

describe("client-chosen request ids", () => {
  const stack = useStack("redis");

  /** Sends one request with the raw X-Request-Id bytes given and returns the parsed response. */
  async function requestWithId(rawId: string) {
    const client = await rawClient(stack.api.baseUrl);
    client.write(
      Buffer.from(
        `GET /healthz HTTP/1.1\r\nHost: kubbi\r\nConnection: close\r\nX-Request-Id: ${rawId}\r\n\r\n`,
        "latin1",
      ),
    );
    return parseResponse(await client.closed);
  }

  it("a well-formed id (1-64 of A-Z a-z 0-9 . _ -) is kept", async () => {
    const reply = await requestWithId("trace-abc.123_X");
    expect(reply.headers["x-request-id"]).toBe("trace-abc.123_X");
  });

  it.each([
    ["an ANSI escape", "abc\x1b[31mred\x1b[0m"],
    ["a bell and a backspace", "abc\x07\x08def"],
    ["65 characters", "a".repeat(65)],
    ["a space", "two words"],
    ["quotes and angle brackets", 'evil"id<script>'],
    ["a non-ASCII byte", "caf\xe9"],
    ["a log-line forgery", 'x","level":60,"msg":"forged'],
  ])("an id with %s is replaced by a fresh one and never echoed or logged", async (_what, rawId) => {
    const reply = await requestWithId(rawId);
    // Node itself refuses some control bytes in header values (400, no id); otherwise a fresh UUID.
    if (reply.status === 200) expect(reply.headers["x-request-id"]).toMatch(UUID);
    else expect(reply.status).toBe(400);
    expect(JSON.stringify(reply)).not.toContain(rawId);
    expect(stack.api.output()).not.toContain(rawId);
  });

  it.each([
    ["CR LF", "abc\r\nX-Injected: yes"],
    ["a bare CR", "abc\rX-Injected: yes"],
    ["a bare LF", "abc\nX-Injected: yes"],
  ])("an id with %s cannot inject a response header or a log line", async (_what, rawId) => {
    // CR LF simply ends the header (the id is then "abc"); a bare CR or LF is refused by Node.
    const reply = await requestWithId(rawId);
    expect(reply.headers["x-injected"]).toBeUndefined();
    expect(reply.headers["x-request-id"] ?? "abc").toMatch(/^(abc|[0-9a-f-]{36})$/);
    expect(stack.api.output()).not.toContain("X-Injected");
  });
});
