import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { makeServerKeys, startApi, startRedis, type ApiProcess, type RedisServer } from "@kubbi/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { escapeForTerminal } from "../src/admin/text.js";
import { consumer, expectEnvelope, producer, type Producer } from "./support/http.js";
import { useStack } from "./support/stacks.js";

const execute = promisify(execFile);

/** A kubbi of this producer's, already claimed once and so burned. */
async function burnedKubbi(maker: Producer) {
  const burned = await maker.create({
    content: "burned",
    content_type: "text/plain",
    ttl_seconds: 600,
    max_retrievals: 1,
  });
  await consumer.claim(burned.body.claim_url);
  return burned;
}
const ADMIN = resolve(import.meta.dirname, "../dist/admin/kubbi-admin.js");
const ADMIN_BIN = resolve(import.meta.dirname, "../bin/kubbi-admin.js");
/** A safety net for the poll, far above the milliseconds a pub/sub message takes, not a time asserted. */
const REVOCATION_HEARD = { timeout: 15_000, interval: 50 };

describe("the admin command's text", () => {
  it("escapes control, bidirectional and invisible characters", () => {
    expect(escapeForTerminal("a\tb\nc\x1b[31m\u202egpj.exe\u200b\\")).toBe(
      "a\\tb\\nc\\u001b[31m\\u202egpj.exe\\u200b\\\\",
    );
  });
});

describe("kubbi-admin keys", () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let env: NodeJS.ProcessEnv;
  const admin = (...args: string[]) => execute(process.execPath, [ADMIN, ...args], { env });

  beforeAll(async () => {
    redis = await startRedis();
    api = await startApi({ redisUrl: redis.url, serverKeys: makeServerKeys() });
    env = { PATH: process.env.PATH, REDIS_URL: redis.url };
  });
  afterAll(async () => {
    await api.stop();
    await redis.stop();
  });

  async function createKey(name: string, ...flags: string[]): Promise<{ apiKey: string; keyId: string }> {
    const created = await admin("keys", "create", "--name", name, ...flags);
    return { apiKey: created.stdout.trim(), keyId: /created (key_[0-9a-f]+)/.exec(created.stderr)![1]! };
  }

  it("creates a working key, lists it under a header row with its plan shown readably, and a revoked key gets 401", async () => {
    const { apiKey, keyId } = await createKey("ci-bot", "--max-active", "7", "--max-bytes", "10MiB", "--rate", "600");
    expect(apiKey).toMatch(/^kb_[A-Za-z0-9_-]{43}$/);
    const keyProducer = producer(api.baseUrl, apiKey);
    expect(
      (await keyProducer.create({ content: "via a stored key", content_type: "text/plain", ttl_seconds: 60 })).status,
    ).toBe(201);

    const [header, ...rows] = (await admin("keys", "list")).stdout.trimEnd().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual([
      "ID",
      "NAME",
      "CREATED",
      "STATE",
      "MAX FILES",
      "MAX BYTES",
      "MAX ACTIVE",
      "RATE",
    ]);
    const row = rows.find((line) => line.startsWith(keyId))!;
    expect(row.split(/\s{2,}/)).toEqual([
      keyId,
      "ci-bot",
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      "active",
      "default",
      "10 MiB",
      "7",
      "600/min",
    ]);
    expect(JSON.stringify(rows)).not.toContain(apiKey);

    // Only the key's hash is stored.
    const db = new Redis(redis.url);
    const everything =
      JSON.stringify(await db.keys("*")) +
      JSON.stringify(
        await Promise.all(
          (await db.keys("ak:*")).map(async (key) => ((await db.type(key)) === "hash" ? db.hgetall(key) : db.get(key))),
        ),
      );
    db.disconnect();
    expect(everything).not.toContain(apiKey.slice(3));

    await admin("keys", "revoke", keyId);
    // The API hears of it on Redis pub/sub (api-key-cache.test.ts: every process, and the bound without it).
    await vi.waitFor(async () => expectEnvelope(await keyProducer.list(), 401, "unauthorized"), REVOCATION_HEARD);
    expect((await admin("keys", "list")).stdout).toMatch(new RegExp(`${keyId}\\s+ci-bot\\s+\\S+\\s+revoked \\S+Z`));
    await expect(admin("keys", "revoke", "key_missing")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no key with id key_missing"),
    });
  });

  it.each([
    ["a tab in the name", ["--name", "ci\tbot"], "--name must be"],
    ["a newline in the name", ["--name", "ci\nkey_fake  forged  row"], "--name must be"],
    ["an ANSI escape in the name", ["--name", "ci\x1b[2Jbot"], "--name must be"],
    ["a right-to-left override in the name", ["--name", "ci\u202etob"], "--name must be"],
    ["a size it cannot read", ["--name", "ok", "--max-bytes", "10MB"], "--max-bytes takes bytes"],
    ["a rate that is not a positive integer", ["--name", "ok", "--rate", "1.5"], "--rate takes a positive integer"],
    ["an unknown flag", ["--name", "ok", "--bogus"], "Unknown option '--bogus'"],
  ])("create refuses %s with exit code 2 and stores nothing", async (_what, flags, message) => {
    const before = (await admin("keys", "list")).stdout;
    await expect(admin("keys", "create", ...flags)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(message),
    });
    expect((await admin("keys", "list")).stdout).toBe(before);
  });

  it("list escapes stored names, so a tab or newline in one cannot fake a row or a column", async () => {
    // A record written by an older version, or straight into Redis, with a hostile name.
    const db = new Redis(redis.url);
    const keyHash = createHash("sha256").update("kb_planted").digest("base64url");
    const planted = {
      id: "key_planted0000000",
      name: "evil\tkey_fake\tforged\nkey_row  x",
      createdAt: Date.now(),
      revokedAt: null,
      plan: {},
    };
    await db.set(`ak:${keyHash}`, JSON.stringify(planted));
    await db.hset("ak:ids", planted.id, keyHash);
    db.disconnect();

    const lines = (await admin("keys", "list")).stdout.trimEnd().split("\n");
    const plantedLines = lines.filter(
      (line) => line.includes("key_planted") || line.includes("key_row") || line.includes("key_fake"),
    );
    expect(plantedLines).toHaveLength(1);
    expect(plantedLines[0]).toContain("evil\\tkey_fake\\tforged\\nkey_row  x");
    expect(lines.join("\n")).not.toMatch(/\t/);
  });

  it("revoke says how many kubbis stay claimable; revoke --purge deletes them (410 deleted) and no other key's", async () => {
    const { apiKey, keyId } = await createKey("leaving");
    const leaving = producer(api.baseUrl, apiKey);
    const kept = producer(api.baseUrl, api.apiKey);
    const created = [
      await leaving.create({ content: "one", content_type: "text/plain", ttl_seconds: 600 }),
      await leaving.create({ content: "two", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 5 }),
    ];
    const burned = await burnedKubbi(leaving);
    const other = await kept.create({ content: "another key's", content_type: "text/plain", ttl_seconds: 600 });

    const revoked = await admin("keys", "revoke", keyId);
    expect(revoked.stderr).toContain(
      `revoked ${keyId}. Its 2 active kubbis stay claimable until they expire; to delete them now: kubbi-admin keys revoke ${keyId} --purge`,
    );
    expect((await consumer.inspect(created[0]!.body.claim_url)).status).toBe(200);

    const purged = await admin("keys", "revoke", keyId, "--purge");
    expect(purged.stderr).toContain(
      `revoked ${keyId} and deleted its 2 active kubbis: their claim URLs now answer 410 deleted.`,
    );
    for (const reply of created) {
      expectEnvelope(await consumer.inspect(reply.body.claim_url), 410, "deleted");
      expectEnvelope(await consumer.claim(reply.body.claim_url), 410, "deleted");
    }
    expectEnvelope(await consumer.inspect(burned.body.claim_url), 410, "burned");
    expect((await consumer.claim(other.body.claim_url)).body.content).toBe("another key's");
    expect((await admin("keys", "revoke", keyId)).stderr).toContain("it has no active kubbis");
  });

  it("runs through the kubbi-admin bin and the repository's `pnpm kubbi-admin` script", async () => {
    expect((await execute(process.execPath, [ADMIN_BIN, "keys", "list"], { env })).stdout).toMatch(/^ID\s+NAME/);
    const apiPackage = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8"));
    const rootPackage = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../../package.json"), "utf8"));
    expect(apiPackage.bin["kubbi-admin"]).toBe("bin/kubbi-admin.js");
    expect(rootPackage.scripts["kubbi-admin"]).toBe("node apps/api/bin/kubbi-admin.js");
  });
});

describe("kubbi-admin keys on a Redis Cluster (REDIS_CLUSTER_NODES)", () => {
  const stack = useStack("cluster");
  const admin = (...args: string[]) =>
    execute(process.execPath, [ADMIN, ...args], {
      env: { PATH: process.env.PATH, REDIS_CLUSTER_NODES: stack.connection.redisClusterNodes },
    });

  it("a key made through the cluster works at once; revoke --purge deletes its active kubbis across slots, not the burned one", async () => {
    const created = await admin("keys", "create", "--name", "cluster-bot");
    const [apiKey, keyId] = [created.stdout.trim(), /created (key_[0-9a-f]+)/.exec(created.stderr)![1]!];
    const keyProducer = producer(stack.api.baseUrl, apiKey);
    const active = await Promise.all(
      ["one", "two", "three"].map((content) =>
        keyProducer.create({ content, content_type: "text/plain", ttl_seconds: 600 }),
      ),
    );
    const burned = await burnedKubbi(keyProducer);
    expect((await admin("keys", "list")).stdout).toMatch(new RegExp(`${keyId}\\s+cluster-bot\\s+\\S+\\s+active`));

    const purged = await admin("keys", "revoke", keyId, "--purge");
    expect(purged.stderr).toContain(`revoked ${keyId} and deleted its 3 active kubbis`);
    await vi.waitFor(async () => expectEnvelope(await keyProducer.list(), 401, "unauthorized"), REVOCATION_HEARD);
    for (const reply of active) expectEnvelope(await consumer.claim(reply.body.claim_url), 410, "deleted");
    expectEnvelope(await consumer.inspect(burned.body.claim_url), 410, "burned");
  });
});
