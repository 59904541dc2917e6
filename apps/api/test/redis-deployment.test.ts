import { setTimeout as sleep } from "node:timers/promises";
import { startApi, startRedis, type RedisServer } from "@kubbi/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fulfil } from "@kubbi.ai/sdk";
import { call, consumer, expectEnvelope, producer, type Reply } from "./support/http.js";
import { newRequestBody } from "./support/request-body.js";
import { keysMatching, startStack } from "./support/stacks.js";

const note = (content: string, extra: Record<string, unknown> = {}) => ({
  content,
  content_type: "text/plain",
  ttl_seconds: 600,
  ...extra,
});

/** Until the server's first replica has synced (a bounded poll). */
async function replicaOnline(server: RedisServer): Promise<void> {
  const db = new Redis(server.url);
  for (let attempt = 0; !/slave0:.*state=online/.test(await db.info("replication")) && attempt < 200; attempt++)
    await sleep(50);
  db.disconnect();
}

/** A requester's calls to /api/v1/requests. */
const requestLinks = (baseUrl: string, apiKey: string) => ({
  create: (body: unknown) =>
    call(`${baseUrl}/api/v1/requests`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  cancel: (id: string) =>
    call(`${baseUrl}/api/v1/requests/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${apiKey}` } }),
});

describe("the API checks the Redis it is given before it starts", () => {
  it("REDIS_URL naming a Redis Cluster node: refuses to start and says to use REDIS_CLUSTER_NODES", async () => {
    const node = await startRedis({ args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"] });
    try {
      await expect(startApi({ redisUrl: node.url })).rejects.toThrow(/cluster_enabled:1\): set REDIS_CLUSTER_NODES/);
    } finally {
      await node.stop();
    }
  });

  it("production refuses a Redis without the append-only file, naming the risk and the opt-out", async () => {
    const volatile = await startRedis({ args: ["--appendonly", "no"] });
    try {
      await expect(startApi({ redisUrl: volatile.url })).rejects.toThrow(
        /runs without the append-only file.*revive burned ones.*KUBBI_ALLOW_NON_DURABLE_REDIS=true/,
      );
      const optedOut = await startApi({ redisUrl: volatile.url, env: { KUBBI_ALLOW_NON_DURABLE_REDIS: "true" } });
      try {
        expect(optedOut.output()).toMatch(
          /"level":40.*KUBBI_ALLOW_NON_DURABLE_REDIS=true: Redis runs without the append-only file; a Redis crash or restart can lose acknowledged kubbis and revive burned ones/,
        );
        expect((await producer(optedOut.baseUrl, optedOut.apiKey).create(note("works"))).status).toBe(201);
      } finally {
        await optedOut.stop();
      }
    } finally {
      await volatile.stop();
    }
  });

  it("where CONFIG is not permitted (managed Redis), it starts and warns naming the setting to check", async () => {
    const managed = await startRedis({ args: ["--rename-command", "CONFIG", ""] });
    try {
      const api = await startApi({ redisUrl: managed.url });
      try {
        expect(api.output()).toMatch(
          /"level":40.*cannot read Redis persistence settings.*check that appendonly is yes/,
        );
      } finally {
        await api.stop();
      }
    } finally {
      await managed.stop();
    }
  });
});

describe("a Redis outage is a retryable 503, never a 500, and answered quickly", () => {
  it("data routes and /readyz answer 503 service_unavailable with Retry-After while Redis is down; then it recovers with every kubbi", async () => {
    const stack = await startStack("redis", { redisArgs: ["--appendfsync", "always"] });
    const { redis } = stack;
    try {
      const before = await stack.producer.create(note("made before the outage"));
      expect(before.status).toBe(201);
      stack.db!.disconnect();
      await redis!.halt("SIGKILL");

      const ready = await fetch(`${stack.api.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toBe("1");
      for (const reply of [
        await stack.producer.create(note("during")),
        await consumer.claim(before.body.claim_url),
        await consumer.inspect(before.body.claim_url),
        await stack.producer.list(),
      ]) {
        expectEnvelope(reply, 503, "service_unavailable");
        expect(reply.headers.get("retry-after")).toBe("1");
      }
      expect(stack.api.output()).not.toMatch(/"level":50.*unhandled error/);

      const restarted = await startRedis({ port: redis!.port, dir: redis!.dir, args: ["--appendfsync", "always"] });
      try {
        let reply = await stack.producer.create(note("after"));
        for (let attempt = 0; reply.status === 503 && attempt < 100; attempt++) {
          await sleep(100);
          reply = await stack.producer.create(note("after"));
        }
        expect(reply.status).toBe(201);
        expect((await fetch(`${stack.api.baseUrl}/readyz`)).status).toBe(200);
        const claimed = await consumer.claim(before.body.claim_url);
        expect(claimed.body?.content, JSON.stringify(claimed.body)).toBe("made before the outage");
      } finally {
        await stack.api.stop();
        await restarted.stop();
      }
    } finally {
      await stack.api.stop();
    }
  });
});

describe("KUBBI_REDIS_WAIT_REPLICAS: a create or a burn is acknowledged only once a replica has it", () => {
  let primary: RedisServer;
  let replica: RedisServer | undefined;
  beforeAll(async () => {
    primary = await startRedis();
  });
  afterAll(async () => {
    await replica?.stop();
    await primary.stop();
  });

  it("with no replica in time: 503 service_unavailable with Retry-After, and the write is left as it is (not acknowledged)", async () => {
    const api = await startApi({
      redisUrl: primary.url,
      env: { KUBBI_REDIS_WAIT_REPLICAS: "1", KUBBI_REDIS_WAIT_TIMEOUT_MS: "200" },
    });
    const db = new Redis(primary.url);
    try {
      const reply = await producer(api.baseUrl, api.apiKey).create(note("unreplicated"));
      expectEnvelope(reply, 503, "service_unavailable");
      expect(reply.headers.get("retry-after")).toBe("1");
      expect(await keysMatching(db, "kb:*:m")).toHaveLength(1); // written on the master, never acknowledged: no claim URL left the server
    } finally {
      db.disconnect();
      await api.stop();
    }
  });

  it("with a replica in sync: creates and burning claims succeed", async () => {
    replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
    await replicaOnline(primary);
    const api = await startApi({
      redisUrl: primary.url,
      env: { KUBBI_REDIS_WAIT_REPLICAS: "1", KUBBI_REDIS_WAIT_TIMEOUT_MS: "5000" },
    });
    try {
      const created = await producer(api.baseUrl, api.apiKey).create(note("replicated", { max_retrievals: 1 }));
      expect(created.status).toBe(201);
      const replicaDb = new Redis(replica.url);
      const primaryDb = new Redis(primary.url);
      // The replica had it before the 201: the same payloads as the master (the unacknowledged one from above too).
      expect((await keysMatching(replicaDb, "kb:*:d")).sort()).toEqual(
        (await keysMatching(primaryDb, "kb:*:d")).sort(),
      );
      primaryDb.disconnect();
      expect((await consumer.claim(created.body.claim_url)).status).toBe(200);
      const statuses = await Promise.all(
        (await keysMatching(replicaDb, "kb:*:m")).map((key) => replicaDb.hget(key, "st")),
      );
      expect(statuses).toContain("burned"); // the replica had the burn before the 200
      replicaDb.disconnect();
      expectEnvelope(await consumer.claim(created.body.claim_url), 410, "burned");
    } finally {
      await api.stop();
    }
  });

  it("request links too: a request's create, delivery and cancel are acknowledged only once a replica has them", async () => {
    const source = await startRedis();
    const copy = await startRedis({ args: ["--replicaof", "127.0.0.1", String(source.port)] });
    const [sourceDb, copyDb] = [new Redis(source.url), new Redis(copy.url)];
    const requestStates = async (db: Redis) =>
      Promise.all((await keysMatching(db, "rq:*")).map((key) => db.hmget(key, "id", "st", "sct")));
    try {
      await replicaOnline(source);
      const inSync = await startApi({
        redisUrl: source.url,
        env: { KUBBI_REDIS_WAIT_REPLICAS: "1", KUBBI_REDIS_WAIT_TIMEOUT_MS: "5000" },
      });
      const requester = requestLinks(inSync.baseUrl, inSync.apiKey);
      let open: Reply;
      try {
        const delivered = await requester.create(newRequestBody());
        expect(delivered.status).toBe(201);
        await fulfil(delivered.body.fill_url, { content: "replicated" }, { maxRetries: 0 });
        open = await requester.create(newRequestBody());
        expect(open.status).toBe(201);
        // The replica had both requests, and the delivery's sealed claim token, before the 201s.
        expect(await requestStates(copyDb)).toEqual(
          expect.arrayContaining([
            [delivered.body.id, "fulfilled", expect.stringMatching(/^[A-Za-z0-9_-]{100,}$/)],
            [open.body.id, "open", ""],
          ]),
        );
      } finally {
        await inSync.stop();
      }

      await copyDb.replicaof("NO", "ONE"); // no replica any more: nothing can be acknowledged
      const unreplicated = await startApi({
        redisUrl: source.url,
        apiKey: inSync.apiKey,
        env: { KUBBI_REDIS_WAIT_REPLICAS: "1", KUBBI_REDIS_WAIT_TIMEOUT_MS: "200" },
      });
      try {
        const links = requestLinks(unreplicated.baseUrl, unreplicated.apiKey);
        expectEnvelope(await links.create(newRequestBody()), 503, "service_unavailable");
        expectEnvelope(await links.cancel(open.body.id), 503, "service_unavailable");
        // Written on the master, never acknowledged: no fill URL left the server, and the cancel was not confirmed.
        expect(await requestStates(sourceDb)).toHaveLength(3);
        expect(await requestStates(sourceDb)).toContainEqual([open.body.id, "cancelled", ""]);
      } finally {
        await unreplicated.stop();
      }
    } finally {
      sourceDb.disconnect();
      copyDb.disconnect();
      await copy.stop();
      await source.stop();
    }
  });
});
