/** The requester's and filler's checks that need no server: a fill URL must carry the requester's own fingerprint. */
import { describe, expect, it } from "vitest";
import { KubbiClient, fulfil, inspectFillUrl, isKubbiError, isKubbiUsageError } from "../../src/index.js";
import { generateRequestKeyPair, publicKeyFingerprint, toBase64Url } from "../../src/envelope.js";

const TOKEN = "A".repeat(43);
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("request links without a server", () => {
  it("client.request refuses a fill_url whose #k= is not its own key's fingerprint (a server swapping the key at creation)", async () => {
    const other = await publicKeyFingerprint((await generateRequestKeyPair()).publicKey);
    const fetch = async () =>
      json({ id: "00000000-0000-4000-8000-000000000001", fill_url: `https://kubbi.test/f/${TOKEN}#k=${other}` }, 201);
    const client = new KubbiClient({
      apiKey: `kb_${"x".repeat(43)}`,
      baseUrl: "https://kubbi.test",
      fetch,
      maxRetries: 0,
    });
    const error = await client
      .request({ description: "x", requestTtlSeconds: 60, ttlSeconds: 60 })
      .catch((caught: unknown) => caught);
    expect(isKubbiError(error) && (error as Error).message).toMatch(/fingerprint/);
  });

  it("fulfil and inspectFillUrl refuse a served key that does not match the link, and a link without #k=, before sending anything", async () => {
    const asked = await generateRequestKeyPair();
    const served = await generateRequestKeyPair();
    const sent: string[] = [];
    const fetch = async (url: string, init: RequestInit) => {
      sent.push(`${init.method} ${url}`);
      return json({
        request_id: "r",
        requester: "ci",
        description: "d",
        wanted: { kind: "content", max_files: 1, max_bytes: 1000 },
        public_key: toBase64Url(served.publicKey),
        expires_at: "x",
      });
    };
    const link = `https://kubbi.test/f/${TOKEN}#k=${await publicKeyFingerprint(asked.publicKey)}`;
    await expect(fulfil(link, { content: "secret" }, { fetch })).rejects.toThrow(
      /does not match the fill URL's fingerprint/,
    );
    await expect(inspectFillUrl(link, { fetch })).rejects.toThrow(/does not match/);
    expect(sent.every((line) => line.startsWith("GET "))).toBe(true);
    const cut = await fulfil(`https://kubbi.test/f/${TOKEN}`, { content: "secret" }, { fetch }).catch(
      (caught: unknown) => caught,
    );
    expect(isKubbiUsageError(cut)).toBe(true);
  });

  it("the debug log masks the fill token like a claim token", async () => {
    const lines: string[] = [];
    const logger = { debug: (message: string) => lines.push(message), info: () => {}, warn: () => {}, error: () => {} };
    const fetch = async () => json({ error: "not_found", message: "No request", messages: [], request_id: "q" }, 404);
    await inspectFillUrl(`https://kubbi.test/f/${TOKEN}#k=${"B".repeat(43)}`, {
      fetch,
      debug: true,
      logger,
      maxRetries: 0,
    }).catch(() => undefined);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(lines.join("\n")).toContain("/f/[token]/info");
  });
});
