import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { KubbiError, KubbiWebhookVerificationError, verifyWebhook } from "../../src/index.js";

const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
const body = JSON.stringify({
  type: "kubbi.burned",
  timestamp: "2026-12-01T21:30:00.000Z",
  data: { id: "1764624600000-0", type: "kubbi.burned", kubbi_id: "k", key_id: "key_1", client: null },
});

/** A delivery signed by the reference standardwebhooks package, as a receiver gets it. */
function signed(secret: string, at = new Date(), id = "key_1_1764624600000-0") {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}

async function refusal(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KubbiWebhookVerificationError);
  expect(error).toBeInstanceOf(KubbiError);
  return (error as Error).message;
}

describe("verifyWebhook", () => {
  it("verifies a delivery signed by the standardwebhooks package and returns its parsed body", async () => {
    const secret = newSecret();
    const headers = signed(secret);
    const expected = JSON.parse(body);
    expect(await verifyWebhook(body, headers, secret)).toEqual(expected);
    expect(await verifyWebhook(new TextEncoder().encode(body), new Headers(headers), secret)).toEqual(expected);
    // Header names in any case (Node's IncomingHttpHeaders are lower case; others may not be).
    const shouting = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(await verifyWebhook(body, shouting, secret)).toEqual(expected);
  });

  it("accepts any matching v1 signature of several (a receiver mid-rotation)", async () => {
    const secret = newSecret();
    const headers = signed(secret);
    const other = signed(newSecret())["webhook-signature"];
    const both = { ...headers, "webhook-signature": `${other} ${headers["webhook-signature"]}` };
    expect((await verifyWebhook(body, both, secret)).type).toBe("kubbi.burned");
  });

  it("refuses a tampered body, another secret, another id, and a v2 or malformed signature", async () => {
    const secret = newSecret();
    const headers = signed(secret);
    expect(await refusal(verifyWebhook(body.replace("burned", "claimed"), headers, secret))).toMatch(
      /No webhook signature/,
    );
    expect(await refusal(verifyWebhook(body, headers, newSecret()))).toMatch(/No webhook signature/);
    expect(await refusal(verifyWebhook(body, { ...headers, "webhook-id": "key_1_1-0" }, secret))).toMatch(
      /No webhook signature/,
    );
    const v2 = headers["webhook-signature"].replace(/^v1,/, "v2,");
    expect(await refusal(verifyWebhook(body, { ...headers, "webhook-signature": v2 }, secret))).toMatch(
      /No webhook signature/,
    );
    expect(await refusal(verifyWebhook(body, { ...headers, "webhook-signature": "v1,@@@" }, secret))).toMatch(
      /No webhook signature/,
    );
    expect(await refusal(verifyWebhook(body, headers, "whsec_@@@"))).toMatch(/not a whsec_ secret/);
  });

  it("refuses an old or future timestamp beyond the tolerance (five minutes by default), and missing headers", async () => {
    const secret = newSecret();
    const old = signed(secret, new Date(Date.now() - 6 * 60_000));
    expect(await refusal(verifyWebhook(body, old, secret))).toMatch(/too old/);
    expect((await verifyWebhook(body, old, secret, { toleranceSeconds: 600 })).type).toBe("kubbi.burned");
    const future = signed(secret, new Date(Date.now() + 6 * 60_000));
    expect(await refusal(verifyWebhook(body, future, secret))).toMatch(/future/);
    const { "webhook-timestamp": _, ...noTimestamp } = signed(secret);
    expect(await refusal(verifyWebhook(body, noTimestamp, secret))).toMatch(/missing/);
    expect(await refusal(verifyWebhook(body, { ...signed(secret), "webhook-timestamp": "12abc" }, secret))).toMatch(
      /timestamp/,
    );
  });

  it("agrees with the standardwebhooks package in both directions (what it accepts and refuses)", async () => {
    const secret = newSecret();
    for (const headers of [signed(secret), signed(secret, new Date(Date.now() - 10 * 60_000))]) {
      const reference = (() => {
        try {
          new Webhook(secret).verify(body, headers);
          return "ok";
        } catch {
          return "refused";
        }
      })();
      const ours = await verifyWebhook(body, headers, secret).then(
        () => "ok",
        () => "refused",
      );
      expect(ours).toBe(reference);
    }
  });
});
