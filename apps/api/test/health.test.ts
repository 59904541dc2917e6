import { describe, expect, it } from "vitest";
import { splitPost } from "./support/split-post.js";
import { STORE_KINDS, startStack, useStack } from "./support/stacks.js";

describe.each(STORE_KINDS)("health and shutdown on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it("answers liveness and readiness", async () => {
    expect(await (await fetch(`${stack.api.baseUrl}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${stack.api.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("on SIGTERM it finishes the request in flight, refuses new ones, and exits 0", async () => {
    const body = JSON.stringify({ content: "in flight during shutdown", content_type: "text/plain", ttl_seconds: 60 });
    const inFlight = splitPost(
      `${stack.api.baseUrl}/api/v1/kubbis`,
      { authorization: `Bearer ${stack.api.apiKey}`, "content-type": "application/json" },
      body,
      20,
    );
    // Half the body now, the rest after the signal: the request straddles the shutdown.
    setTimeout(() => {
      stack.api.child.kill("SIGTERM");
      setTimeout(inFlight.finish, 300);
    }, 100);
    const exited = new Promise<number | null>((resolve) => stack.api.child.once("exit", resolve));
    const reply = await inFlight.response;
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.body).status).toBe("active");
    expect(await exited).toBe(0);
    // Refused, not reset or timed out: nothing listens on the port any more.
    await expect(fetch(`${stack.api.baseUrl}/healthz`)).rejects.toMatchObject({
      message: "fetch failed",
      cause: { code: "ECONNREFUSED" },
    });
    expect(stack.api.output()).toContain("shutting down");
  });
});

describe("readiness without Redis", () => {
  it("is 503 service_unavailable while Redis does not answer, and ready again when it does", async () => {
    const stack = await startStack("redis");
    try {
      // Stop Redis under the running API.
      stack.db!.disconnect();
      await stack.redis!.stop();
      const down = await fetch(`${stack.api.baseUrl}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: "service_unavailable" });
      expect((await fetch(`${stack.api.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await stack.api.stop();
    }
  });
});
