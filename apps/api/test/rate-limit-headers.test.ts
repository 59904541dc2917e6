import { describe, expect, it } from "vitest";
import { call, consumer, expectEnvelope, type Reply } from "./support/http.js";
import { freshRateWindow } from "./support/rate-window.js";
import { useStack } from "./support/stacks.js";

/** The IETF rate-limit fields of a reply (draft-ietf-httpapi-ratelimit-headers, separate-field form). */
function rateFields(reply: Reply) {
  const header = (name: string) => reply.headers.get(name);
  return {
    limit: header("ratelimit-limit"),
    remaining: header("ratelimit-remaining"),
    reset: Number(header("ratelimit-reset")),
    policy: header("ratelimit-policy"),
  };
}

describe("rate-limit headers", () => {
  const stack = useStack("redis", {
    env: { KUBBI_RATE_LIMIT_PER_MINUTE: "3", KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "2" },
  });

  it("producer routes carry limit, remaining, reset and policy on every answer, and Retry-After on the 429", async () => {
    await freshRateWindow(20_000);
    const created = await stack.producer.create({ content: "counted", content_type: "text/plain", ttl_seconds: 60 });
    const replies = [
      created,
      await stack.producer.get(created.body.id),
      await stack.producer.list(),
      await stack.producer.list(),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([201, 200, 200, 429]);
    expect(replies.map((reply) => rateFields(reply).remaining)).toEqual(["2", "1", "0", "0"]);
    for (const reply of replies) {
      const fields = rateFields(reply);
      expect(fields).toMatchObject({ limit: "3", policy: "3;w=60" });
      expect(fields.reset).toBeGreaterThanOrEqual(1);
      expect(fields.reset).toBeLessThanOrEqual(60);
    }
    const limited = replies[3]!;
    expectEnvelope(limited, 429, "rate_limited");
    expect(limited.headers.get("retry-after")).toBe(String(rateFields(limited).reset));
  });

  it("consumer routes carry the same fields, per client address", async () => {
    await freshRateWindow(20_000);
    const unknown = `${stack.api.baseUrl}/r/${"B".repeat(43)}`;
    const replies = [
      await consumer.inspect(unknown, { accept: "application/json" }),
      await consumer.claim(unknown),
      await call(`${unknown}/inspect`),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([404, 404, 429]);
    expect(replies.map((reply) => rateFields(reply).remaining)).toEqual(["1", "0", "0"]);
    expect(replies.map((reply) => rateFields(reply).policy)).toEqual(["2;w=60", "2;w=60", "2;w=60"]);
    expect(replies[2]!.headers.get("retry-after")).toBe(String(rateFields(replies[2]!).reset));
  });
});
