import { spawn } from "node:child_process";
import { API_ENTRY, makeServerKeys } from "@kubbi/test-utils";
import { describe, expect, it, vi } from "vitest";
import type { Request } from "express";
import { addressBucket } from "../src/http/address-bucket.js";
import { eventClientOf } from "../src/http/event-client.js";
import { parseTrustProxy } from "../src/http/trust-proxy.js";
import { freshRateWindow } from "./support/rate-window.js";
import { startStack, useStack } from "./support/stacks.js";

describe("rate-limit buckets of client addresses", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:3:4:5.6.7.8", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    [undefined, "unknown"],
  ])("%s counts in %s", (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });
});

describe("the client an event names", () => {
  const clientOf = (ip: string, userAgent?: string) =>
    eventClientOf({ ip, headers: userAgent === undefined ? {} : { "user-agent": userAgent } } as Request);
  const emoji = "\u{1F600}"; // one character, two UTF-16 units

  it.each([
    ["none", undefined, ""],
    ["a plain one, kept", "curl/8.5.0", "curl/8.5.0"],
    ["200 characters, kept", "a".repeat(200), "a".repeat(200)],
    ["201 characters, cut to 200", "a".repeat(201), "a".repeat(200)],
    ["a short one with a tab and C1 bytes, dropped", "agent\t\u009b[31m\u0085x", "agent[31mx"],
    ["control characters dropped before the cut", `\u0007${"a".repeat(200)}`, "a".repeat(200)],
    ["200 characters of 400 UTF-16 units, kept whole", emoji.repeat(200), emoji.repeat(200)],
    ["a cut never splits a character", emoji.repeat(201), emoji.repeat(200)],
  ])("user agent: %s", (_case, userAgent, kept) => {
    expect(clientOf("127.0.0.1", userAgent).userAgent).toBe(kept);
  });

  it("names an IPv4-mapped address as IPv4", () => {
    expect(clientOf("::ffff:203.0.113.7").address).toBe("203.0.113.7");
    expect(clientOf("2001:db8::1").address).toBe("2001:db8::1");
  });
});

describe("KUBBI_TRUST_PROXY", () => {
  it("takes a hop count or an address list", () => {
    expect(parseTrustProxy("1")).toBe(1);
    expect(parseTrustProxy("127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback")).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
      "loopback",
    ]);
    for (const bad of ["true", "false", "yes", "10.0.0.0/33", "1.2.3"]) expect(() => parseTrustProxy(bad)).toThrow();
  });

  it("true is refused at start-up with a message that says what to write instead", async () => {
    const child = spawn(process.execPath, [API_ENTRY], {
      env: { PATH: process.env.PATH!, KUBBI_KEYS: makeServerKeys(), KUBBI_TRUST_PROXY: "true", PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (chunk) => (output += chunk));
    expect(await new Promise((done) => child.on("exit", done))).toBe(1);
    expect(output).toContain("KUBBI_TRUST_PROXY");
    expect(output).toContain("KUBBI_TRUST_PROXY=1");
    expect(output).toContain("KUBBI_TRUST_PROXY=127.0.0.1,10.0.0.0/8");
  });
});

describe("behind one proxy (KUBBI_TRUST_PROXY=1)", () => {
  const stack = useStack("redis", { env: { KUBBI_TRUST_PROXY: "1", KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "3" } });

  /** An inspect of an unknown claim URL (404 when allowed) as the proxy forwards it. */
  const inspectFrom = (forwardedFor: string) =>
    fetch(`${stack.api.baseUrl}/r/${"A".repeat(43)}`, {
      headers: { accept: "application/json", "x-forwarded-for": forwardedFor },
    }).then((reply) => reply.status);

  it("a spoofed X-Forwarded-For cannot pick a bucket beyond the address the proxy saw", async () => {
    // The client writes anything it likes in front; the proxy appends the address it saw.
    await freshRateWindow();
    const spoofed = ["1.1.1.1", "2.2.2.2, 3.3.3.3", "203.0.113.99", "unknown"].map((lie) => `${lie}, 198.51.100.7`);
    const statuses = [];
    for (const forwardedFor of spoofed) statuses.push(await inspectFrom(forwardedFor));
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(await inspectFrom("198.51.100.8")).toBe(404);
  });

  it("IPv6 clients count per /64: new addresses in the same /64 share one bucket", async () => {
    await freshRateWindow();
    const sameSubnet = [
      "2001:db8:aa:1::1",
      "2001:db8:aa:1::2",
      "2001:db8:aa:1:ffff:ffff:ffff:fffe",
      "2001:db8:aa:1::abcd",
    ];
    const statuses = [];
    for (const address of sameSubnet) statuses.push(await inspectFrom(address));
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(await inspectFrom("2001:db8:aa:2::1")).toBe(404);
  });
});

describe("a client on ::1", () => {
  it("is counted in its /64 bucket", async () => {
    const stack = await startStack("redis", { env: { HOST: "::1" } });
    try {
      const base = stack.api.baseUrl;
      expect(base).toContain("[::1]");
      expect((await fetch(`${base}/r/${"A".repeat(43)}`, { headers: { accept: "application/json" } })).status).toBe(
        404,
      );
      // Counters reach Redis in batches; wait for this one.
      await vi.waitFor(async () =>
        expect(await stack.db!.keys("rl:*")).toEqual([expect.stringMatching(/^rl:\{ip:0:0:0:0::\/64\}:\d+$/)]),
      );
    } finally {
      await stack.stop();
    }
  });
});
