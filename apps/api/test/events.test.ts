import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createResponseValidator } from "@kubbi/openapi/validator";
import { makeServerKeys, startApi, type ApiProcess } from "@kubbi/test-utils";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResponse, rawClient } from "./support/raw-http.js";
import { call, consumer, expectEnvelope, producer, type Reply } from "./support/http.js";
import { hashClaimToken } from "../src/crypto/tokens.js";
import { STORE_KINDS, dumpRedis, keysMatching, startStack, useStack, type Stack } from "./support/stacks.js";

/** The polls below wait for the expiry scheduler; this only bounds a broken run. */
const SAFETY_TIMEOUT_MS = 30_000;
const AGENT = "agent-one/1.0 (events test)";

const validator = createResponseValidator();

/** A producer's event reads, each checked against the spec. */
function eventReader(baseUrl: string, apiKey: string) {
  const headers = { authorization: `Bearer ${apiKey}` };
  const conforming = (path: string) => (reply: Reply) => {
    if (reply.status === 200) expect(validator.validateResponse("GET", path, 200, reply.body).errors).toBe("");
    return reply;
  };
  return {
    all: (query = "") => call(`${baseUrl}/api/v1/events${query}`, { headers }).then(conforming("/api/v1/events")),
    ofKubbi: (id: string, query = "") =>
      call(`${baseUrl}/api/v1/kubbis/${id}/events${query}`, { headers }).then(conforming("/api/v1/kubbis/{id}/events")),
  };
}

const claimAs = (claimUrl: string, userAgent: string) =>
  call(`${claimUrl}/claim`, { method: "POST", headers: { "user-agent": userAgent } });

/** A claim whose User-Agent is exactly these bytes (fetch refuses some): its status. */
async function rawClaim(claimUrl: string, userAgent: Buffer): Promise<number> {
  const { host, pathname } = new URL(claimUrl);
  const client = await rawClient(claimUrl);
  client.write(
    Buffer.concat([
      Buffer.from(`POST ${pathname}/claim HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: `),
      userAgent,
      Buffer.from("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    ]),
  );
  return parseResponse(await client.closed).status;
}

/** Polls until check returns a value (bounded by the safety timeout: a safety net, not an assertion of time). */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + SAFETY_TIMEOUT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("gave up waiting (safety timeout)");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Event JSON lines an API process wrote to stdout (KUBBI_AUDIT_LOG=stdout), among its log lines. */
const auditLines = (api: ApiProcess) =>
  api
    .output()
    .split("\n")
    .filter((line) => line.startsWith('{"id":'))
    .map((line) => JSON.parse(line) as { id: string; type: string; kubbi_id: string });

const typesOf = (reply: Reply) => (reply.body.events as Array<{ type: string }>).map((event) => event.type);

describe.each(STORE_KINDS)("the event log on the %s store", (storeKind) => {
  const stack = useStack(storeKind, {
    env: {
      KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "100000",
      KUBBI_RATE_LIMIT_PER_MINUTE: "100000",
      KUBBI_AUDIT_LOG: "stdout",
      KUBBI_EXPIRY_CHECK_MS: "200",
    },
  });
  const events = () => eventReader(stack.api.baseUrl, stack.api.apiKey);
  /** Ids of events another process wrote (the claim_failed test's): not in this process's audit log. */
  const writtenElsewhere = new Set<string>();

  it("each event type in order per kubbi, with its counts and the consumer's address and user agent; inspects are counted, not events", async () => {
    const twice = await stack.producer.create({
      content: "two reads",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 2,
    });
    const { id, claim_url } = twice.body;
    for (let n = 0; n < 2; n++) expect((await consumer.inspect(claim_url)).status).toBe(200);
    expect((await consumer.inspect(claim_url, { accept: "text/html" })).status).toBe(200); // the claim page
    expect((await claimAs(claim_url, AGENT)).status).toBe(200);
    // Node lets a tab and C1 bytes (as latin1) through in a header value: the user agent drops them.
    expect(await rawClaim(claim_url, Buffer.from(`${AGENT}\t\x9b[31mred\x85${"x".repeat(300)}`, "latin1"))).toBe(200);

    const log = (await events().ofKubbi(id)).body;
    expect(log.events.map((event: { type: string }) => event.type)).toEqual([
      "kubbi.created",
      "kubbi.claimed",
      "kubbi.claimed",
      "kubbi.burned",
    ]);
    expect(log.events.map((event: { retrieval_count: number }) => event.retrieval_count)).toEqual([0, 1, 2, 2]);
    expect(log.events.map((event: { retrievals_left: number }) => event.retrievals_left)).toEqual([2, 1, 0, 0]);
    expect(log.events[0]).toMatchObject({ kubbi_id: id, max_retrievals: 2, client: null });
    expect(log.events[1].client).toEqual({ address: "127.0.0.1", user_agent: AGENT });
    // Control characters never reach the log (no terminal escapes), and at most 200 characters do.
    const cleaned = `${AGENT}[31mred${"x".repeat(300)}`.slice(0, 200);
    expect(log.events[2].client).toEqual({ address: "127.0.0.1", user_agent: cleaned });
    expect(log).toMatchObject({ next_since: log.events[3].id, has_more: false });
    const ids = log.events.map((event: { id: string }) => event.id);
    expect(new Set(ids).size).toBe(4);
    expect(new Set(log.events.map((event: { key_id: string }) => event.key_id)).size).toBe(1);

    const detail = (await stack.producer.get(id)).body;
    expect(detail).toMatchObject({
      status: "burned",
      inspect_count: 3,
      expired_unclaimed: false,
      last_claim: { at: detail.last_retrieved_at, address: "127.0.0.1", user_agent: cleaned },
    });
    expect(detail.last_inspected_at).not.toBeNull();

    const deleted = await stack.producer.create({ content: "x", content_type: "text/plain", ttl_seconds: 600 });
    expect((await stack.producer.remove(deleted.body.id)).status).toBe(200);
    const deletedLog = (await events().ofKubbi(deleted.body.id)).body.events;
    expect(deletedLog.map((event: { type: string }) => event.type)).toEqual(["kubbi.created", "kubbi.deleted"]);
    expect(deletedLog[1]).toMatchObject({
      retrieval_count: 0,
      max_retrievals: null,
      retrievals_left: null,
      client: null,
    });
  });

  it("an unclaimed kubbi and a partly claimed one each get one kubbi.expired within seconds of their TTL", async () => {
    const unclaimed = await stack.producer.create({ content: "x", content_type: "text/plain", ttl_seconds: 1 });
    const partly = await stack.producer.create({
      content: "y",
      content_type: "text/plain",
      ttl_seconds: 1,
      max_retrievals: 3,
    });
    expect((await claimAs(partly.body.claim_url, AGENT)).status).toBe(200);
    for (const [kubbi, expected] of [
      [unclaimed, ["kubbi.created", "kubbi.expired"]],
      [partly, ["kubbi.created", "kubbi.claimed", "kubbi.expired"]],
    ] as const) {
      const log = await eventually(async () => {
        const reply = await events().ofKubbi(kubbi.body.id);
        return typesOf(reply).includes("kubbi.expired") ? reply.body : undefined;
      });
      expect(log.events.map((event: { type: string }) => event.type)).toEqual(expected);
      expect(log.events.at(-1).client).toBeNull();
    }
    expect((await stack.producer.get(unclaimed.body.id)).body).toMatchObject({
      status: "expired",
      expired_unclaimed: true,
      last_claim: null,
    });
    expect((await stack.producer.get(partly.body.id)).body).toMatchObject({
      status: "expired",
      expired_unclaimed: false,
      last_claim: { address: "127.0.0.1", user_agent: AGENT },
    });
  });

  it("a claim and its event cannot disagree: 24 concurrent claims at max_retrievals=3 make exactly claimed 1, 2, 3 and one burned", async () => {
    const created = await stack.producer.create({
      content: "raced",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 3,
    });
    const replies = await Promise.all(
      Array.from({ length: 24 }, (_, n) => claimAs(created.body.claim_url, `racer-${n}`)),
    );
    const served = replies.filter((reply) => reply.status === 200);
    expect(served).toHaveLength(3);
    const log = (await events().ofKubbi(created.body.id)).body.events as Array<{
      type: string;
      retrieval_count: number;
      client: { user_agent: string };
    }>;
    const claimed = log.filter((event) => event.type === "kubbi.claimed");
    expect(claimed.map((event) => event.retrieval_count)).toEqual([1, 2, 3]);
    expect(log.map((event) => event.type)).toEqual([
      "kubbi.created",
      "kubbi.claimed",
      "kubbi.claimed",
      "kubbi.claimed",
      "kubbi.burned",
    ]);
    // Each event names the racer whose claim it is, and they are the ones that were served.
    expect(claimed.map((event) => event.client.user_agent).sort()).toEqual(
      served.map((reply) => `racer-${replies.indexOf(reply)}`).sort(),
    );
    expect(log[4]!.client.user_agent).toBe(log[3]!.client.user_agent);
  });

  it("the key's events page and resume with since; bad queries are 400; another key sees none of them and gets 404 for the kubbi", async () => {
    const first = await events().all();
    const all = first.body.events as Array<{ id: string; key_id: string }>;
    expect(all.length).toBeGreaterThan(5);
    const ids: string[] = [];
    let since: string | null = null;
    for (;;) {
      const page: Reply = await events().all(`?limit=2${since ? `&since=${since}` : ""}`);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.events.map((event: { id: string }) => event.id));
      since = page.body.next_since;
      if (!page.body.has_more) break;
    }
    expect(ids).toEqual(all.map((event) => event.id));
    // Resuming after the last one: nothing new, and next_since stays where it was.
    expect((await events().all(`?since=${since}`)).body).toEqual({ events: [], next_since: since, has_more: false });
    // A new event shows up after it.
    const later = await stack.producer.create({ content: "x", content_type: "text/plain", ttl_seconds: 600 });
    const resumed = (await events().all(`?since=${since}`)).body.events;
    expect(resumed.map((event: { type: string; kubbi_id: string }) => [event.type, event.kubbi_id])).toEqual([
      ["kubbi.created", later.body.id],
    ]);

    for (const query of [
      "?since=abc",
      "?since=1-2-3",
      "?since=22276483716403037395-99698",
      "?since=1-18446744073709551616",
      "?limit=0",
      "?limit=1001",
      "?limit=x",
      "?since=1-0&since=2-0",
    ]) {
      expectEnvelope(await events().all(query), 400, "validation_error");
      expectEnvelope(await events().ofKubbi(later.body.id, query), 400, "validation_error");
    }

    const other = eventReader(stack.api.baseUrl, stack.api.secondApiKey);
    expectEnvelope(await other.ofKubbi(later.body.id), 404, "not_found");
    expectEnvelope(await other.ofKubbi("not-a-uuid"), 404, "not_found");
    expect((await other.all()).body).toEqual({ events: [], next_since: null, has_more: false });
    expectEnvelope(await call(`${stack.api.baseUrl}/api/v1/events`), 401, "unauthorized");
  });

  // Two processes on one store with different server keys: the memory store lives in one process.
  it.skipIf(storeKind === "memory")(
    "a claim that cannot be answered is rolled back with a kubbi.claim_failed naming its client; last_claim is restored",
    async () => {
      const created = await stack.producer.create({
        content: "sealed under k1",
        content_type: "text/plain",
        ttl_seconds: 600,
        max_retrievals: 1,
      });
      const wrongKeys = await startApi({
        ...stack.connection,
        serverKeys: makeServerKeys("k9"),
        apiKey: stack.api.apiKey,
      });
      try {
        expectEnvelope(
          await claimAs(`${wrongKeys.baseUrl}/r/${created.body.claim_token}`, "unlucky/1"),
          500,
          "decrypt_failed",
        );
      } finally {
        await wrongKeys.stop();
      }
      const log = (await events().ofKubbi(created.body.id)).body.events;
      expect(
        log.map((event: { type: string; retrieval_count: number }) => [event.type, event.retrieval_count]),
      ).toEqual([
        ["kubbi.created", 0],
        ["kubbi.claimed", 1],
        ["kubbi.burned", 1],
        ["kubbi.claim_failed", 0],
      ]);
      writtenElsewhere.add(log[1].id).add(log[2].id).add(log[3].id);
      expect(log[3]).toMatchObject({ retrievals_left: 1, client: { address: "127.0.0.1", user_agent: "unlucky/1" } });
      expect((await stack.producer.get(created.body.id)).body).toMatchObject({
        status: "active",
        retrieval_count: 0,
        last_claim: null,
      });
      expect((await claimAs(created.body.claim_url, AGENT)).status).toBe(200);
      expect((await stack.producer.get(created.body.id)).body.last_claim).toMatchObject({ user_agent: AGENT });
    },
  );

  it("no event, audit line or stored event holds a claim token or its hash, the content, a file name or the metadata", async () => {
    const secrets = {
      content: "content-7f3a9c-do-not-log",
      fileName: "filename-51d2e8.txt",
      metadata: "metadata-c0ffee-value",
      metadataKey: "metadataKey4417",
    };
    const pkg = await stack.producer.create({
      files: [{ name: secrets.fileName, content: secrets.content, content_type: "text/plain", role: "data" }],
      ttl_seconds: 600,
      max_retrievals: 1,
      metadata: { [secrets.metadataKey]: secrets.metadata },
    });
    const single = await stack.producer.create({
      content: secrets.content,
      content_type: "text/plain",
      ttl_seconds: 600,
      metadata: { [secrets.metadataKey]: secrets.metadata },
    });
    expect((await claimAs(pkg.body.claim_url, AGENT)).body.files[0].content).toBe(secrets.content);
    await consumer.inspect(single.body.claim_url);
    expect((await stack.producer.remove(single.body.id)).status).toBe(200);
    const needles = [
      ...Object.values(secrets),
      ...[pkg, single].flatMap((made) => [made.body.claim_token, hashClaimToken(made.body.claim_token)]),
      stack.api.apiKey,
    ];
    const haystacks = [
      JSON.stringify((await events().all("?limit=1000")).body),
      JSON.stringify((await events().ofKubbi(pkg.body.id)).body),
      await eventually(async () => {
        const audit = JSON.stringify(auditLines(stack.api));
        return audit.includes(single.body.id) && audit.includes("kubbi.deleted") ? audit : undefined;
      }),
      ...(stack.db
        ? (await dumpRedis(stack.db))
            .filter(({ key }) => /:ev$|:id:/.test(key))
            // An id key is the kubbi's token hash (the id index, not an event), then its event ids.
            .map(({ key, bytes }) => {
              const text = bytes.toString("latin1");
              return `${key} ${key.includes(":id:") ? text.slice(text.indexOf(" ")) : text}`;
            })
        : []),
    ];
    if (stack.db) expect(haystacks.length).toBeGreaterThan(3); // the stored stream and lists were read
    for (const haystack of haystacks) for (const needle of needles) expect(haystack).not.toContain(needle);
  });

  it("KUBBI_AUDIT_LOG=stdout writes every event this process made as one JSON line, the same as the API shows", async () => {
    const all = ((await events().all("?limit=1000")).body.events as Array<{ id: string }>).filter(
      (event) => !writtenElsewhere.has(event.id),
    );
    expect(all.length).toBeGreaterThan(10);
    const audited = await eventually(async () => {
      const lines = auditLines(stack.api);
      return lines.length >= all.length ? lines : undefined;
    });
    expect(audited).toEqual(all);
  });
});

describe("events on two API processes sharing one Redis", () => {
  let stack: Stack;
  let sibling: ApiProcess;
  /** The sibling writes its audit log to a file (KUBBI_AUDIT_LOG=/path). */
  let siblingAuditFile: string;
  const siblingAudit = async () =>
    (await readFile(siblingAuditFile, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; type: string; kubbi_id: string });
  beforeAll(async () => {
    siblingAuditFile = join(await mkdtemp(join(tmpdir(), "kubbi-audit-")), "events.jsonl");
    stack = await startStack("redis", { env: { KUBBI_EXPIRY_CHECK_MS: "100", KUBBI_AUDIT_LOG: "stdout" } });
    sibling = await startApi({
      ...stack.connection,
      serverKeys: stack.api.serverKeys,
      apiKey: stack.api.apiKey,
      env: { KUBBI_EXPIRY_CHECK_MS: "100", KUBBI_AUDIT_LOG: siblingAuditFile },
    });
  }, 90_000);
  afterAll(async () => {
    await sibling?.stop();
    await stack?.stop();
  });

  it("each unclaimed kubbi gets exactly one kubbi.expired, from whichever process moves it", async () => {
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        producer(n % 2 ? sibling.baseUrl : stack.api.baseUrl, stack.api.apiKey).create({
          content: `expiring ${n}`,
          content_type: "text/plain",
          ttl_seconds: 1,
        }),
      ),
    );
    const ids = new Set(made.map((reply) => reply.body.id as string));
    const reader = eventReader(stack.api.baseUrl, stack.api.apiKey);
    const expiredIds = async () =>
      ((await reader.all("?limit=1000")).body.events as Array<{ type: string; kubbi_id: string }>)
        .filter((event) => event.type === "kubbi.expired")
        .map((event) => event.kubbi_id);
    await eventually(async () => ((await expiredIds()).length >= ids.size ? true : undefined));
    // Give both schedulers more passes over the same (already expired) kubbis: none emits again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const expired = await expiredIds();
    expect(expired.sort()).toEqual([...ids].sort());
    const all = (await reader.all("?limit=1000")).body.events as Array<{ id: string }>;
    // Audit lines are written as events are stored; a file's last ones may still be on their way.
    const audited = await eventually(async () => {
      const lines = [...auditLines(stack.api), ...(await siblingAudit())];
      return lines.length >= all.length ? lines : undefined;
    });
    const expiredAudited = audited.filter((line) => line.type === "kubbi.expired");
    expect(expiredAudited.map((line) => line.kubbi_id).sort()).toEqual([...ids].sort());
    // Each process logged the creates it served: the sibling's went to its file, one JSON line each.
    const createdBySibling = made.filter((_, n) => n % 2).map((reply) => reply.body.id);
    expect(
      (await siblingAudit())
        .filter((line) => line.type === "kubbi.created")
        .map((line) => line.kubbi_id)
        .sort(),
    ).toEqual(createdBySibling.sort());
    expect(audited.map((line) => line.id).sort()).toEqual(all.map((event) => event.id).sort());
  });
});

describe("a kubbi made before its event ids moved into its id key", () => {
  const stack = useStack("redis");

  it("keeps its earlier events after the upgrade, and adds the new ones after them", async () => {
    const db = stack.db as Redis;
    const made = await stack.producer.create({ content: "old", content_type: "text/plain", ttl_seconds: 600 });
    await claimAs(made.body.claim_url, "before-the-upgrade");
    // The layout an older version left: the ids in a list of their own, the id key holding the token hash only.
    const idKey = (await keysMatching(db, `own:*:id:${made.body.id}`))[0]!;
    const [tokenHash, ...earlierIds] = (await db.get(idKey))!.split(" ");
    const ttl = await db.pttl(idKey);
    await db.set(idKey, tokenHash!, "PX", ttl);
    await db.rpush(idKey.replace(":id:", ":kev:"), ...earlierIds);
    await db.pexpire(idKey.replace(":id:", ":kev:"), ttl);

    await claimAs(made.body.claim_url, "after-the-upgrade");
    const reader = eventReader(stack.api.baseUrl, stack.api.apiKey);
    const log = (await reader.ofKubbi(made.body.id)).body.events as Array<{ type: string; client: unknown }>;
    expect(log.map((event) => event.type)).toEqual(["kubbi.created", "kubbi.claimed", "kubbi.claimed"]);
    expect(log.map((event) => (event.client as { user_agent?: string } | null)?.user_agent ?? null)).toEqual([
      null,
      "before-the-upgrade",
      "after-the-upgrade",
    ]);
    // Paging goes on across the two: after the first event, the other two.
    const after = (await reader.ofKubbi(made.body.id, `?since=${(log[0] as unknown as { id: string }).id}`)).body;
    expect(after.events.map((event: { type: string }) => event.type)).toEqual(["kubbi.claimed", "kubbi.claimed"]);
  });
});

describe.each(["redis", "memory"] as const)("event retention on the %s store", (storeKind) => {
  // Small stream nodes, so the approximate trim (MINID ~, whole nodes) shows after a few events.
  const stack = useStack(storeKind, {
    env: { KUBBI_EVENT_RETENTION_SECONDS: "1", KUBBI_RATE_LIMIT_PER_MINUTE: "100000" },
    redisArgs: ["--stream-node-max-entries", "2"],
  });

  it("events older than KUBBI_EVENT_RETENTION_SECONDS are trimmed as new ones come", async () => {
    const reader = eventReader(stack.api.baseUrl, stack.api.apiKey);
    const first = await stack.producer.create({ content: "x", content_type: "text/plain", ttl_seconds: 600 });
    const firstEvent = (await reader.ofKubbi(first.body.id)).body.events[0];
    expect(firstEvent).toMatchObject({ type: "kubbi.created" });
    await eventually(async () => {
      await stack.producer.create({ content: "y", content_type: "text/plain", ttl_seconds: 600 });
      const kept = (await reader.all("?limit=1000")).body.events as Array<{ id: string }>;
      return kept.some((event) => event.id === firstEvent.id) ? undefined : true;
    });
    // The kubbi is still there (its tombstone outlives the events): its trimmed event is simply gone.
    expect((await reader.ofKubbi(first.body.id)).body).toEqual({ events: [], next_since: null, has_more: false });
  });
});
