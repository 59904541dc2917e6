/**
 * verifyWebhook in every runtime: a delivery signed by the reference `standardwebhooks` package (made once
 * with `new Webhook(secret).sign(id, new Date(timestamp * 1000), body)`) verifies; a tampered body, another
 * secret and a stale timestamp are refused. Plain JavaScript, no runtime-specific API.
 */
const VECTOR = {
  secret: "whsec_+YBsPR8vr+BlumVtV6MV/AiAan2RU64a",
  headers: {
    "webhook-id": "key_0a1b2c3d4e5f6789_1764621000000-0",
    "webhook-timestamp": "1764621001",
    "webhook-signature": "v1,od+6KE+kl6bc7hauLU+rM7kAPPswyGWF18u8MKzEU5c=",
  },
  body: '{"type":"kubbi.claimed","timestamp":"2026-12-01T20:30:00.000Z","data":{"id":"1764621000000-0","type":"kubbi.claimed","occurred_at":"2026-12-01T20:30:00.000Z","kubbi_id":"7d1f1a52-2b8e-4f51-9d7e-3f0c2a8e6b11","key_id":"key_0a1b2c3d4e5f6789","retrieval_count":1,"max_retrievals":2,"retrievals_left":1,"client":{"address":"203.0.113.7","user_agent":"python-httpx/0.27"}}}',
};
const SIGNED_AT_MS = 1764621001 * 1000;

async function refused(sdk, attempt) {
  try {
    await attempt();
  } catch (error) {
    return error instanceof sdk.KubbiWebhookVerificationError;
  }
  return false;
}

/** Returns what passed, e.g. "verified,tampered-refused,wrong-secret-refused,stale-refused"; throws on a mismatch. */
export async function checkWebhookVerification(sdk, runtime) {
  const check = (condition, what) => {
    if (!condition) throw new Error(`${runtime}: verifyWebhook: ${what}`);
  };
  const now = () => SIGNED_AT_MS + 30_000;
  const event = await sdk.verifyWebhook(VECTOR.body, new Headers(VECTOR.headers), VECTOR.secret, { now });
  check(event.type === "kubbi.claimed" && event.data.retrievals_left === 1, "the verified event");
  const bytes = new TextEncoder().encode(VECTOR.body);
  check(
    (await sdk.verifyWebhook(bytes, VECTOR.headers, VECTOR.secret, { now })).data.id === "1764621000000-0",
    "bytes",
  );
  const tampered = VECTOR.body.replace('"retrievals_left":1', '"retrievals_left":9');
  check(await refused(sdk, () => sdk.verifyWebhook(tampered, VECTOR.headers, VECTOR.secret, { now })), "tampered body");
  const otherSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  check(await refused(sdk, () => sdk.verifyWebhook(VECTOR.body, VECTOR.headers, otherSecret, { now })), "wrong secret");
  // The real clock: the vector was signed in 2026, far outside the 5-minute tolerance.
  check(
    await refused(sdk, () =>
      sdk.verifyWebhook(VECTOR.body, VECTOR.headers, VECTOR.secret, { now: () => SIGNED_AT_MS + 301_000 }),
    ),
    "stale timestamp",
  );
  return "verified,tampered-refused,wrong-secret-refused,stale-refused";
}
