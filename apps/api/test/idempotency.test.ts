import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { hkdfSha256 } from "../src/crypto/hkdf.js";
import { KeyRing } from "../src/crypto/keyring.js";
import { DecryptError, open } from "../src/crypto/seal.js";
import { replayKey, replaySecrets } from "../src/services/idempotency.js";
import { consumer, expectEnvelope, producer } from "./support/http.js";
import { STORE_KINDS, dumpRedis, useStack } from "./support/stacks.js";

describe.each(STORE_KINDS)("idempotent creates on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  const body = { content: "exactly once", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 1 };

  it("a replay with the same key and body returns the same kubbi, and only one exists", async () => {
    const key = randomUUID();
    const totalBefore = (await stack.producer.list()).body.pagination.total;
    const first = await stack.producer.create(body, { "idempotency-key": key });
    const replay = await stack.producer.create(body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    expect((await stack.producer.list()).body.pagination.total).toBe(totalBefore + 1);
    expect((await consumer.claim(replay.body.claim_url)).body.content).toBe("exactly once");
  });

  it("the same key with a different body is 422 idempotency_key_reused", async () => {
    const key = randomUUID();
    await stack.producer.create(body, { "idempotency-key": key });
    expectEnvelope(
      await stack.producer.create({ ...body, content: "something else" }, { "idempotency-key": key }),
      422,
      "idempotency_key_reused",
    );
  });

  it("keys are scoped to the API key: another producer's same key makes its own kubbi", async () => {
    const key = randomUUID();
    const mine = await stack.producer.create(body, { "idempotency-key": key });
    const theirs = await producer(stack.api.baseUrl, stack.api.secondApiKey).create(body, { "idempotency-key": key });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it("concurrent requests with one key make one kubbi; the others replay it or are told to retry", async () => {
    const key = randomUUID();
    const totalBefore = (await stack.producer.list()).body.pagination.total;
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => stack.producer.create(body, { "idempotency-key": key })),
    );
    const created = replies.filter((reply) => reply.status === 201);
    const busy = replies.filter((reply) => reply.status === 409);
    expect(created.length + busy.length).toBe(12);
    expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
    busy.forEach((reply) => expectEnvelope(reply, 409, "idempotency_in_progress"));
    expect((await stack.producer.list()).body.pagination.total).toBe(totalBefore + 1);
  });

  it("a failed request releases its key, so a corrected retry can use it", async () => {
    const key = randomUUID();
    expectEnvelope(
      await stack.producer.create({ ...body, ttl_seconds: 10 ** 9 }, { "idempotency-key": key }),
      400,
      "validation_error",
    );
    expect((await stack.producer.create(body, { "idempotency-key": key })).status).toBe(201);
  });

  it("a malformed key is a validation error", async () => {
    expectEnvelope(await stack.producer.create(body, { "idempotency-key": "x".repeat(256) }), 400, "validation_error");
  });

  it("a replay of a kubbi that has burned, been deleted or expired since says so, not active", async () => {
    const replayOf = async (body: Record<string, unknown>, key: string) => {
      const replay = await stack.producer.create(body, { "idempotency-key": key });
      expect(replay.status).toBe(201);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      return replay.body;
    };
    const burnKey = randomUUID();
    const burned = await stack.producer.create(body, { "idempotency-key": burnKey });
    expect(burned.body.status).toBe("active");
    await consumer.claim(burned.body.claim_url);
    expect(await replayOf(body, burnKey)).toEqual({ ...burned.body, status: "burned" });

    const deleteKey = randomUUID();
    const deleted = await stack.producer.create(body, { "idempotency-key": deleteKey });
    await stack.producer.remove(deleted.body.id);
    expect(await replayOf(body, deleteKey)).toEqual({ ...deleted.body, status: "deleted" });

    const expireKey = randomUUID();
    const shortLived = { ...body, ttl_seconds: 1 };
    const expired = await stack.producer.create(shortLived, { "idempotency-key": expireKey });
    await sleep(1300);
    expect(await replayOf(shortLived, expireKey)).toEqual({ ...expired.body, status: "expired" });
  });

  it("the stored replay is sealed: Redis holds neither the claim token nor the idempotency key", async () => {
    if (!stack.db) return;
    const key = `order-${randomUUID()}`;
    const created = await stack.producer.create(body, { "idempotency-key": key });
    for (const entry of await dumpRedis(stack.db)) {
      const haystack = Buffer.concat([Buffer.from(entry.key), entry.bytes]);
      expect(haystack.includes(Buffer.from(created.body.claim_token))).toBe(false);
      expect(haystack.includes(Buffer.from(key))).toBe(false);
    }
  });
});

describe("a Redis dump, the server keys and a guessable Idempotency-Key do not reopen a replay", () => {
  const stack = useStack("redis");

  it("the slot is not found by the key's hash and no derivation from what the dump holds opens it; only the API key does", async () => {
    const idempotencyKey = "invoice-2026-0042";
    const created = await stack.producer.create(
      { content: "the payload", content_type: "text/plain", ttl_seconds: 600 },
      { "idempotency-key": idempotencyKey },
    );
    expect(created.status).toBe(201);

    const slots = (await dumpRedis(stack.db!)).filter((entry) => entry.key.startsWith("idem:"));
    expect(slots).toHaveLength(1);
    const [slot] = slots;
    // The attacker knows the Idempotency-Key, but its hash does not point at the slot.
    const keyHash = createHash("sha256").update(idempotencyKey).digest("base64url");
    expect(slot!.key).not.toContain(keyHash);
    const ownerId = slot!.key.slice("idem:{".length, slot!.key.indexOf(":", "idem:{".length));

    // Layout: keyIdLength | keyId | epoch | sealed. The ring rebuilds the epoch key; the rest is guesswork.
    const stored = slot!.bytes;
    const keyId = stored.subarray(1, 1 + stored[0]!).toString();
    const epoch = stored.readUInt32BE(1 + stored[0]!);
    const epochKey = KeyRing.parse(stack.api.serverKeys, 86_400).epochKey({ keyId, epoch })!;
    const sealed = stored.subarray(5 + stored[0]!);
    const opens = (key: Buffer) => {
      try {
        return open(key, sealed, ownerId).toString();
      } catch (error) {
        expect(error).toBeInstanceOf(DecryptError);
        return null;
      }
    };
    const storedApiKeyHash = createHash("sha256").update(stack.api.apiKey).digest("hex");
    const attempts = [
      // The derivation the replay used before: the epoch key and the Idempotency-Key alone.
      hkdfSha256(Buffer.from(idempotencyKey), epochKey, `kubbi/idempotency/${ownerId}`),
      // Today's derivation, fed with everything a dump holds in place of the API key.
      ...[ownerId, storedApiKeyHash, slot!.key, ""].map((guess) =>
        replayKey(epochKey, replaySecrets(guess, idempotencyKey).sealingSecret, ownerId),
      ),
    ];
    for (const attempt of attempts) expect(opens(attempt)).toBeNull();

    // With the API key itself (which storage never holds) the same steps open it: the attempts above failed for the right reason.
    const withApiKey = replaySecrets(stack.api.apiKey, idempotencyKey);
    expect(slot!.key).toBe(`idem:{${ownerId}:${withApiKey.slotId}}`);
    expect(opens(replayKey(epochKey, withApiKey.sealingSecret, ownerId))).toContain(created.body.claim_token);
  });
});
