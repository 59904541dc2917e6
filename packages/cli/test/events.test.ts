/**
 * kubbi events and the last claim in kubbi get, against the real API on redis-server. The user agent is
 * the consumer's to choose, so the claims here are made over a raw socket with the bytes an attacker would
 * send. Node's HTTP parser refuses C0 controls (ESC, BEL) in a header with 400, and reads the other bytes as
 * Latin-1; the API drops C1 controls (0x9b is CSI on an 8-bit terminal). What still arrives is U+00AD, an
 * invisible format character, and whatever the API keeps must reach the terminal escaped. (ESC, bidi
 * overrides and the rest, from a hostile server: terminal-escapes.test.ts.)
 */
import { connect } from "node:net";
import { KubbiClient } from "@kubbi.ai/sdk";
import { describe, expect, inject, it } from "vitest";
import { escapeText } from "../src/escape.js";
import { runMain as kubbi } from "./in-process.js";

const { baseUrl, apiKey } = inject("kubbi");
const env = { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl };
const sdk = new KubbiClient({ apiKey, baseUrl });
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HOSTILE_AGENT = Buffer.concat([
  Buffer.from("curl/8.5.0 "),
  Buffer.from([0x9b]),
  Buffer.from("31m in"),
  Buffer.from([0xad]),
  Buffer.from("visible \u202egpj.exe\u200b\u2028", "utf8"),
]);

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** No raw control or invisible character; the only raw newlines are the CLI's own line ends. */
function expectEscaped(output: string): void {
  expect(output.replaceAll("\n", "")).not.toMatch(RAW);
}

/** POST <claim URL>/claim over a bare socket, with the User-Agent bytes given; resolves to the status code. */
function claimWithUserAgent(claimUrl: string, userAgent: Buffer): Promise<number> {
  const url = new URL(`${claimUrl}/claim`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        Buffer.concat([
          Buffer.from(
            `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 0\r\nConnection: close\r\nUser-Agent: `,
          ),
          userAgent,
          Buffer.from("\r\n\r\n"),
        ]),
      );
    });
    let response = "";
    socket.on("data", (chunk: Buffer) => (response += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1])));
  });
}

describe("kubbi events ID", () => {
  it("lists what happened, oldest first, with each claim's address and user agent escaped; --json gives the SDK's events", async () => {
    const sent = await sdk.send({ content: "x", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 2 });
    expect(await claimWithUserAgent(sent.claimUrl, HOSTILE_AGENT)).toBe(200);
    await sdk.delete(sent.id);
    const events = await sdk.events(sent.id);
    const agent = events[1]!.client!.userAgent;
    // The attack got through to the log: something of it is kept that must not reach a terminal raw.
    expect(agent).toMatch(/^curl\/8\.5\.0 /);
    expect(agent).toMatch(RAW);

    const shown = await kubbi(["events", sent.id], { env });
    expect(shown.code).toBe(0);
    expectEscaped(shown.stdout);
    const [header, ...rows] = shown.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^TIME\s+EVENT\s+RETRIEVALS\s+ADDRESS\s+USER AGENT$/);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\S+Z\s+kubbi\.created\s+0 of 2\s+-\s+-$/);
    expect(rows[1]).toMatch(
      new RegExp(
        `^${events[1]!.occurredAt}\\s+kubbi\\.claimed\\s+1 of 2\\s+127\\.0\\.0\\.1\\s+${escapeRegExp(escapeText(agent))}$`,
      ),
    );
    expect(rows[2]).toMatch(/^\S+Z\s+kubbi\.deleted\s+1 of 2\s+-\s+-$/);

    const json = await kubbi(["events", sent.id, "--json"], { env });
    expectEscaped(json.stdout);
    expect(JSON.parse(json.stdout)).toEqual(events);
  });

  it("exits 3 for an unknown id, and 2 without one", async () => {
    expect((await kubbi(["events", "00000000-0000-4000-8000-000000000000"], { env })).code).toBe(3);
    expect((await kubbi(["events"], { env })).code).toBe(2);
  });
});

describe("kubbi get ID", () => {
  it("shows the last claim: when, from which address, with which user agent, escaped", async () => {
    const sent = await sdk.send({ content: "x", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 3 });
    expect(await claimWithUserAgent(sent.claimUrl, Buffer.from("first/1.0"))).toBe(200);
    expect(await claimWithUserAgent(sent.claimUrl, HOSTILE_AGENT)).toBe(200);
    const detail = await sdk.get(sent.id);
    expect(detail.lastClaim).toMatchObject({
      address: "127.0.0.1",
      userAgent: expect.stringMatching(/^curl\/8\.5\.0 /),
    });

    const shown = await kubbi(["get", sent.id], { env });
    expect(shown.code).toBe(0);
    expectEscaped(shown.stdout);
    const line = shown.stdout.split("\n").find((row) => row.startsWith("last claimed"));
    expect(line).toMatch(/^last claimed\s+/);
    expect(line!.replace(/^last claimed\s+/, "")).toBe(
      `${detail.lastClaim!.at} from 127.0.0.1, user agent ${escapeText(detail.lastClaim!.userAgent)}`,
    );
    expect(shown.stdout).not.toMatch(/^expired/m);
    const json = JSON.parse((await kubbi(["get", sent.id, "--json"], { env })).stdout);
    expect(json).toMatchObject({ lastClaim: detail.lastClaim, expiredUnclaimed: false });
  });

  it('says "never" before the first claim, counts inspects, and says whether a kubbi expired unclaimed', async () => {
    const unclaimed = await sdk.send({ content: "x", contentType: "text/plain", ttlSeconds: 1 });
    const claimedOnce = await sdk.send({ content: "y", contentType: "text/plain", ttlSeconds: 1, maxRetrievals: 2 });
    await kubbi(["inspect", unclaimed.claimUrl]);
    expect(await claimWithUserAgent(claimedOnce.claimUrl, Buffer.from("once/1.0"))).toBe(200);
    // Expiry is decided on the API's clock, this machine's: wait until both have passed.
    const last = Math.max(Date.parse(unclaimed.expiresAt), Date.parse(claimedOnce.expiresAt));
    await new Promise((done) => setTimeout(done, last - Date.now() + 100));

    const shown = await kubbi(["get", unclaimed.id], { env });
    expect(shown.stdout).toMatch(/^status\s+expired$/m);
    expect(shown.stdout).toMatch(/^last claimed\s+never$/m);
    expect(shown.stdout).toMatch(/^inspected\s+1 time, last \S+Z$/m);
    expect(shown.stdout).toMatch(/^expired\s+unclaimed$/m);
    expect(JSON.parse((await kubbi(["get", unclaimed.id, "--json"], { env })).stdout)).toMatchObject({
      lastClaim: null,
      expiredUnclaimed: true,
      inspectCount: 1,
    });

    const partly = await kubbi(["get", claimedOnce.id], { env });
    expect(partly.stdout).toMatch(/^inspected\s+never$/m);
    expect(partly.stdout).toMatch(/^last claimed\s+\S+Z from 127\.0\.0\.1, user agent once\/1\.0$/m);
    expect(partly.stdout).toMatch(/^expired\s+after 1 claim$/m);
  });
});
