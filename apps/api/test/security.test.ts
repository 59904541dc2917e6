import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { KeyRing } from "../src/crypto/keyring.js";
import { KubbiSealer } from "../src/crypto/kubbi-sealer.js";
import { DecryptError, infoKey, open, payloadKey, seal } from "../src/crypto/seal.js";
import { claimTokenSecret } from "../src/crypto/tokens.js";
import { hashToRecord } from "../src/store/record-codec.js";
import { consumer, expectEnvelope, producer } from "./support/http.js";
import { STORE_KINDS, dumpRedis, keysMatching, tokenOf, useStack, type Stack } from "./support/stacks.js";

/** Distinct markers, so a hit in a dump or a log can only come from the payload. */
const marker = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;
const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Every value in a dump, hash fields one by one: what an attacker would try to decrypt. */
async function everyStoredValue(stack: Stack): Promise<Buffer[]> {
  const values: Buffer[] = [];
  for (const entry of await dumpRedis(stack.db!)) {
    if (entry.type === "hash") values.push(...Object.values(await stack.db!.hgetallBuffer(entry.key)));
    else if (entry.type === "string") values.push(entry.bytes);
  }
  return values;
}

/** The stored state of one kubbi, found by its id the way an attacker with a dump would. */
async function metaOf(stack: Stack, id: string) {
  for (const key of await keysMatching(stack.db!, "kb:*:m")) {
    const fields = await stack.db!.hgetallBuffer(key);
    if (fields.id?.toString() === id) return { key, tokenHash: key.slice("kb:{".length, -"}:m".length), fields };
  }
  throw new Error(`no stored state for ${id}`);
}

describe("at rest: Redis never holds a payload, a claim token or an API key in readable form", () => {
  const stack = useStack("redis");

  it("a dump of every key and value finds no plaintext, token, key or file name", async () => {
    const secrets: string[] = [];
    const textSecret = marker("text-payload");
    const jsonSecret = marker("json-payload");
    const metadataSecret = marker("metadata");
    const fileText = marker("file-text");
    const fileName = `${marker("name")}.md`;
    const binary = randomBytes(4096);
    secrets.push(
      textSecret,
      jsonSecret,
      metadataSecret,
      fileText,
      fileName,
      stack.api.apiKey,
      stack.api.apiKey.slice(3),
    );

    const single = await stack.producer.create({
      content: textSecret,
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 5,
      metadata: { note: metadataSecret },
    });
    const json = await stack.producer.create(
      { content: { secret: jsonSecret }, content_type: "application/json", ttl_seconds: 600 },
      { "idempotency-key": marker("idem") },
    );
    const pkg = await stack.producer.create({
      files: [
        { name: fileName, content: fileText, content_type: "text/markdown", role: "instructions" },
        {
          name: "blob.bin",
          content: binary.toString("base64"),
          content_type: "application/octet-stream",
          encoding: "base64",
        },
      ],
      ttl_seconds: 600,
      max_retrievals: 2,
    });
    for (const created of [single, json, pkg]) {
      expect(created.status).toBe(201);
      secrets.push(created.body.claim_token, created.body.claim_url);
    }
    // One claim each, so the stored state after a retrieval is scanned too.
    expect((await consumer.claim(single.body.claim_url)).body.content).toBe(textSecret);
    expect((await consumer.claim(pkg.body.claim_url)).status).toBe(200);

    const dump = await dumpRedis(stack.db!);
    expect(dump.length).toBeGreaterThan(5);
    const haystacks = dump.map((entry) => Buffer.concat([Buffer.from(entry.key), entry.bytes]));
    for (const secret of secrets) {
      for (const haystack of haystacks)
        expect(haystack.includes(Buffer.from(secret)), `found "${secret.slice(0, 20)}…"`).toBe(false);
    }
    for (const haystack of haystacks) {
      expect(haystack.includes(binary.subarray(0, 32))).toBe(false);
      expect(haystack.includes(Buffer.from(binary.toString("base64").slice(0, 40)))).toBe(false);
    }
  });

  it("the stored kubbi plus every server key still opens nothing without the claim URL", async () => {
    const secret = marker("sealed");
    const created = await stack.producer.create({ content: secret, content_type: "text/plain", ttl_seconds: 600 });
    const dump = await dumpRedis(stack.db!);
    const metaEntry = dump.find(
      (entry) =>
        entry.type === "hash" && entry.key.endsWith(":m") && entry.bytes.includes(Buffer.from(created.body.id)),
    );
    expect(metaEntry).toBeDefined();
    const tokenHash = metaEntry!.key.slice("kb:{".length, -"}:m".length);
    const fields = await stack.db!.hgetall(metaEntry!.key);
    const record = hashToRecord(tokenHash, fields, Buffer.alloc(0));
    const sealedPayload = (await stack.db!.getBuffer(`kb:{${tokenHash}}:d`))!;

    // The attacker holds the server keys and everything in Redis, including the token's hash.
    const sealer = new KubbiSealer(KeyRing.parse(stack.api.serverKeys, 86_400));
    for (const guess of [tokenHash, randomBytes(32).toString("base64url"), created.body.id]) {
      expect(() => sealer.openPayload(record, guess, sealedPayload)).toThrow(DecryptError);
    }
    // Tampering with the ciphertext or moving it to another kubbi id is detected too.
    const tampered = Buffer.from(sealedPayload);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => sealer.openPayload(record, created.body.claim_token, tampered)).toThrow(DecryptError);
    expect(() =>
      sealer.openPayload(
        { ...record, id: "00000000-0000-4000-8000-000000000000" },
        created.body.claim_token,
        sealedPayload,
      ),
    ).toThrow(DecryptError);
    // With the claim URL's token it opens: the test above fails for the right reason.
    expect(sealer.openPayload(record, created.body.claim_token, sealedPayload).toString()).toBe(secret);
  });
});

describe("a gone kubbi leaves no names or hashes behind, even for a dump plus the server keys", () => {
  const stack = useStack("redis", { env: { KUBBI_TOMBSTONE_RETENTION_SECONDS: "600" } });

  it("after a burn, a delete and an expiry, no file name, metadata or content hash is stored, and the key ring opens nothing of them", async () => {
    const gone: Array<{ id: string; secrets: string[] }> = [];
    async function createPackage(label: string, extra: Record<string, unknown>) {
      const names = [`${marker(`${label}-name`)}.txt`, `${marker(`${label}-pin`)}.txt`];
      const contents = [marker(`${label}-text`), "4921"];
      const created = await stack.producer.create({
        files: names.map((name, index) => ({
          name,
          content: contents[index],
          content_type: "text/plain",
          role: "data",
        })),
        metadata: { note: marker(`${label}-metadata`) },
        ...extra,
      });
      expect(created.status).toBe(201);
      const secrets = [
        ...names,
        created.body.metadata.note,
        ...contents.slice(0, 1),
        ...contents.map((content) => sha256Hex(content)),
      ];
      gone.push({ id: created.body.id, secrets });
      return created;
    }
    const burned = await createPackage("burned", { ttl_seconds: 600, max_retrievals: 1 });
    const deleted = await createPackage("deleted", { ttl_seconds: 600 });
    const expired = await createPackage("expired", { ttl_seconds: 1 });
    // A kubbi still active, as the positive control for the attack below.
    const active = await stack.producer.create({
      files: [{ name: "still-active.txt", content: "4921", content_type: "text/plain" }],
      metadata: { note: "active" },
      ttl_seconds: 600,
    });

    expect((await consumer.claim(burned.body.claim_url)).body.burned).toBe(true);
    expect((await stack.producer.remove(deleted.body.id)).status).toBe(200);
    await sleep(1300);
    expectEnvelope(await consumer.inspect(expired.body.claim_url), 410, "expired");

    // The producer still sees each tombstone: status, counts, sizes, times; no names, no metadata.
    for (const [created, status] of [
      [burned, "burned"],
      [deleted, "deleted"],
      [expired, "expired"],
    ] as const) {
      expect((await stack.producer.get(created.body.id)).body).toMatchObject({
        status,
        file_count: 2,
        metadata: null,
        files: null,
      });
    }

    // 1. A plain scan of every key and value.
    const haystacks = (await dumpRedis(stack.db!)).map((entry) => Buffer.concat([Buffer.from(entry.key), entry.bytes]));
    for (const { secrets } of gone) {
      const needles = [
        ...secrets.map((secret) => Buffer.from(secret)),
        ...secrets.map((secret) => createHash("sha256").update(secret).digest()),
      ];
      for (const needle of needles)
        expect(
          haystacks.some((haystack) => haystack.includes(needle)),
          `found ${needle.toString("hex").slice(0, 16)}`,
        ).toBe(false);
    }

    // 2. The dump plus KUBBI_KEYS: try every stored value as the sealed info of each gone kubbi.
    const ring = KeyRing.parse(stack.api.serverKeys, 86_400);
    const values = await everyStoredValue(stack);
    const tryOpenInfo = (id: string, keyId: string, epoch: number) =>
      values.flatMap((value) => {
        try {
          return [open(infoKey(ring.epochKey({ keyId, epoch })!, id), value, id).toString("utf8")];
        } catch {
          return [];
        }
      });
    for (const { id } of gone) {
      const { tokenHash, fields } = await metaOf(stack, id);
      expect(await stack.db!.exists(`kb:{${tokenHash}}:i`, `kb:{${tokenHash}}:d`)).toBe(0);
      expect(tryOpenInfo(id, fields.kid!.toString(), Number(fields.ep!.toString()))).toEqual([]);
    }
    // The same attack does open an active kubbi's info (so it would have found a tombstone's), and even that holds no hash.
    const { fields } = await metaOf(stack, active.body.id);
    const opened = tryOpenInfo(active.body.id, fields.kid!.toString(), Number(fields.ep!.toString()));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toContain("still-active.txt");
    expect(opened[0]).not.toContain(sha256Hex("4921"));
  });
});

describe.each(STORE_KINDS)("inspect on the %s store is no content oracle", (storeKind) => {
  const stack = useStack(storeKind);

  it("brute-forcing a 4-digit PIN against everything GET, /inspect and HEAD show finds nothing, and the kubbi stays unclaimed", async () => {
    const pin = String(Math.floor(Math.random() * 10_000)).padStart(4, "0");
    const created = await stack.producer.create({
      files: [
        { name: "pin.txt", content: pin, content_type: "text/plain" },
        { name: "readme.md", content: "The PIN is in pin.txt", content_type: "text/markdown" },
      ],
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    // What a link unfurler or a proxy that saw the claim URL can get, for free, as often as it likes.
    const seen = [
      JSON.stringify((await consumer.inspect(created.body.claim_url)).body),
      JSON.stringify((await consumer.inspect(`${created.body.claim_url}/inspect`)).body),
      JSON.stringify([...(await fetch(created.body.claim_url, { method: "HEAD" })).headers]),
      await (await fetch(created.body.claim_url, { headers: { accept: "text/html" } })).text(),
    ].join("\n");
    expect(seen).toContain("pin.txt");
    expect(seen).not.toMatch(/sha256/i);
    const cracked = Array.from({ length: 10_000 }, (_, guess) => String(guess).padStart(4, "0")).filter((guess) => {
      const digest = createHash("sha256").update(guess).digest();
      return [digest.toString("hex"), digest.toString("base64"), digest.toString("base64url")].some((form) =>
        seen.includes(form),
      );
    });
    expect(cracked).toEqual([]);
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ status: "active", retrieval_count: 0 });

    // The consumer who claims does get a hash of each file, to verify the bytes.
    const claimed = await consumer.claim(created.body.claim_url);
    expect(claimed.body.files.map((file: { sha256: string }) => file.sha256)).toEqual([
      sha256Hex(pin),
      sha256Hex("The PIN is in pin.txt"),
    ]);
  });
});

describe("a failure after the claim committed rolls it back", () => {
  const stack = useStack("redis");

  it("a payload that cannot be serialised (stored before the depth limit) is a 500 that consumes nothing, and the kubbi stays claimable", async () => {
    const created = await stack.producer.create({
      content: { fine: true },
      content_type: "application/json",
      ttl_seconds: 600,
      max_retrievals: 1,
      metadata: { kept: "yes" },
    });
    // The seam: a payload nested 100,000 levels deep, as the API accepted before it limited depth.
    // Parsing it at claim time works; serialising the response overflows the stack after the claim committed.
    const { tokenHash, fields } = await metaOf(stack, created.body.id);
    const epochKey = KeyRing.parse(stack.api.serverKeys, 86_400).epochKey({
      keyId: fields.kid!.toString(),
      epoch: Number(fields.ep!.toString()),
    })!;
    const deep = Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    const key = payloadKey(epochKey, claimTokenSecret(created.body.claim_token), created.body.id);
    expect(await stack.db!.set(`kb:{${tokenHash}}:d`, seal(key, deep, created.body.id), "KEEPTTL")).toBe("OK");

    for (let attempt = 0; attempt < 2; attempt++)
      expectEnvelope(await consumer.claim(created.body.claim_url), 500, "internal_error");
    // Nothing was consumed: not burned, not counted, payload and info back in place.
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({
      status: "active",
      retrieval_count: 0,
      first_retrieved_at: null,
      metadata: { kept: "yes" },
    });
    expect(await stack.db!.exists(`kb:{${tokenHash}}:d`, `kb:{${tokenHash}}:i`)).toBe(2);
    expect((await consumer.inspect(created.body.claim_url)).status).toBe(200);
  });
});

describe("a package whose manifest is lost is never served short", () => {
  const stack = useStack("redis");

  it("a claim with the sealed info gone (as for a kubbi stored before it had its own key) is a 500 that consumes nothing", async () => {
    const created = await stack.producer.create({
      files: [
        { name: "a.txt", content: "one", content_type: "text/plain" },
        { name: "b.txt", content: "two", content_type: "text/plain" },
      ],
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    const { tokenHash } = await metaOf(stack, created.body.id);
    expect(await stack.db!.del(`kb:{${tokenHash}}:i`)).toBe(1);
    expectEnvelope(await consumer.claim(created.body.claim_url), 500, "internal_error");
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ status: "active", retrieval_count: 0 });
    expect(await stack.db!.exists(`kb:{${tokenHash}}:d`)).toBe(1);
  });
});

describe.each(STORE_KINDS)("logs on the %s store never carry a token, a key or a payload", (storeKind) => {
  const stack = useStack(storeKind, { env: { LOG_LEVEL: "trace" } });

  it("after creates, inspects, claims, errors and a delete, the whole log output has none of them", async () => {
    const textSecret = marker("log-payload");
    const fileSecret = marker("log-file");
    const created = await stack.producer.create({
      content: textSecret,
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    const pkg = await stack.producer.create({
      files: [{ name: "a.txt", content: fileSecret, content_type: "text/plain" }],
      ttl_seconds: 600,
    });
    await consumer.inspect(created.body.claim_url);
    await fetch(created.body.claim_url, { method: "HEAD" });
    expect((await consumer.claim(created.body.claim_url)).body.content).toBe(textSecret);
    await consumer.claim(created.body.claim_url); // 410
    await consumer.claim(pkg.body.claim_url);
    await stack.producer.remove(pkg.body.id);
    await stack.producer.createRaw(`{"content":"${textSecret}",`, { "content-type": "application/json" }); // malformed JSON
    await fetch(`${stack.api.baseUrl}/api/v1/kubbis`, { headers: { authorization: `Bearer kb_${"x".repeat(43)}` } }); // 401
    await consumer.claim(`${stack.api.baseUrl}/r/${"A".repeat(43)}`); // 404

    const logs = stack.api.output();
    expect(logs).toContain('"route":"/r/:token/claim"');
    for (const secret of [
      textSecret,
      fileSecret,
      created.body.claim_token,
      pkg.body.claim_token,
      stack.api.apiKey,
      stack.api.apiKey.slice(3),
      `kb_${"x".repeat(43)}`,
    ]) {
      expect(logs.includes(secret), `log contains "${secret.slice(0, 16)}…"`).toBe(false);
    }
  });
});

describe.each(STORE_KINDS)("access control on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it.each([
    ["no header", undefined],
    ["a Basic scheme", "Basic dXNlcjpwYXNz"],
    ["a bearer without a key", "Bearer "],
    ["a key without the kb_ prefix", `Bearer ${"a".repeat(46)}`],
    ["a well-formed unknown key", `Bearer kb_${randomBytes(32).toString("base64url")}`],
    ["the key with one character changed", "MUTATED"],
  ])("producer routes refuse %s with 401", async (_name, authorization) => {
    const header =
      authorization === "MUTATED"
        ? `Bearer ${stack.api.apiKey.slice(0, -1)}${stack.api.apiKey.endsWith("A") ? "B" : "A"}`
        : authorization;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...(header ? { authorization: header } : {}),
    };
    const before = await stack.producer.list();
    for (const [method, path] of [
      ["GET", "/api/v1/kubbis"],
      ["POST", "/api/v1/kubbis"],
      ["GET", `/api/v1/kubbis/${before.body.kubbis[0]?.id ?? "x"}`],
      ["DELETE", "/api/v1/kubbis/x"],
    ] as const) {
      const response = await fetch(`${stack.api.baseUrl}${path}`, {
        method,
        headers,
        ...(method === "POST"
          ? { body: JSON.stringify({ content: "x", content_type: "text/plain", ttl_seconds: 60 }) }
          : {}),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
    expect((await stack.producer.list()).body.pagination.total).toBe(before.body.pagination.total);
  });

  it("another key's kubbi is a 404 for get and delete, never a 403, and stays intact", async () => {
    const mine = await stack.producer.create({ content: "mine", content_type: "text/plain", ttl_seconds: 60 });
    const intruder = producer(stack.api.baseUrl, stack.api.secondApiKey);
    expectEnvelope(await intruder.get(mine.body.id), 404, "not_found");
    expectEnvelope(await intruder.remove(mine.body.id), 404, "not_found");
    expect((await intruder.list("?limit=100")).body.kubbis.map((kubbi: { id: string }) => kubbi.id)).not.toContain(
      mine.body.id,
    );
    expect((await stack.producer.get(mine.body.id)).body.status).toBe("active");
    expect((await consumer.claim(mine.body.claim_url)).body.content).toBe("mine");
  });

  it("guessed and altered claim tokens are 404 and consume nothing", async () => {
    const created = await stack.producer.create({
      content: "guarded",
      content_type: "text/plain",
      ttl_seconds: 60,
      max_retrievals: 1,
    });
    const token = tokenOf(created.body.claim_url);
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const guess of [
      flipped,
      token.slice(0, -1),
      `${token}A`,
      randomBytes(32).toString("base64url"),
      "..%2F..%2Fetc",
      created.body.id,
    ]) {
      expectEnvelope(await consumer.claim(`${stack.api.baseUrl}/r/${guess}`), 404, "not_found");
      expectEnvelope(await consumer.inspect(`${stack.api.baseUrl}/r/${guess}`), 404, "not_found");
    }
    expect((await stack.producer.get(created.body.id)).body.retrieval_count).toBe(0);
  });

  it("link unfurlers, scanners and HEAD requests never consume", async () => {
    const created = await stack.producer.create({
      content: "one shot",
      content_type: "text/plain",
      ttl_seconds: 60,
      max_retrievals: 1,
    });
    const agents = [
      "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
      "Mozilla/5.0 (compatible; MSTeams)",
      "Microsoft Office/16.0 (Outlook Safe Links)",
      "curl/8.5.0",
      "facebookexternalhit/1.1",
    ];
    for (const agent of agents) {
      for (const method of ["GET", "HEAD"]) {
        for (const url of [created.body.claim_url, `${created.body.claim_url}/inspect`]) {
          const response = await fetch(url, { method, headers: { "user-agent": agent } });
          expect(response.status).toBe(200);
        }
      }
      // A GET on the claim URL itself is not a claim either: 405, "use POST".
      expect((await fetch(`${created.body.claim_url}/claim`, { headers: { "user-agent": agent } })).status).toBe(405);
    }
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 0, status: "active" });
    expect((await consumer.claim(created.body.claim_url)).body.content).toBe("one shot");
  });

  it("claim responses are never cacheable and every response has a request id", async () => {
    const created = await stack.producer.create({ content: "no cache", content_type: "text/plain", ttl_seconds: 60 });
    const response = await fetch(`${created.body.claim_url}/claim`, {
      method: "POST",
      headers: { "x-request-id": "trace-abc.123" },
    });
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-request-id")).toBe("trace-abc.123");
    const hostile = await fetch(created.body.claim_url, {
      headers: { "x-request-id": `evil"id<script>${"x".repeat(80)}` },
    });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
