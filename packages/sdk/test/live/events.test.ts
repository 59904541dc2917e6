/**
 * The event log read through the SDK against the real API on redis-server: a kubbi's own events with the
 * consumer's address and user agent, the detail's last claim, and the key's whole log walked page by page,
 * stopped, and resumed from a stored id without a repeat or a gap.
 */
import { describe, expect, inject, it } from "vitest";
import { KubbiClient, KubbiNotFoundError, claim, inspect, type KubbiEvent } from "../../src/index.js";

const { baseUrl, apiKey, secondApiKey } = inject("kubbi");
const client = new KubbiClient({ apiKey, baseUrl });
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** A fetch that says who it is: the user agent the API records for a claim. */
const withUserAgent =
  (userAgent: string): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), "user-agent": userAgent } });

async function collect(events: AsyncIterable<KubbiEvent>, stopAfter = Number.POSITIVE_INFINITY): Promise<KubbiEvent[]> {
  const all: KubbiEvent[] = [];
  for await (const event of events) {
    all.push(event);
    if (all.length >= stopAfter) break;
  }
  return all;
}

describe("client.events(id)", () => {
  it("tells when and from where each claim happened, oldest first, and the detail carries the last one", async () => {
    const sent = await client.send({ content: "s3cr3t", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 2 });
    await inspect(sent.claimUrl);
    await claim(sent.claimUrl, { fetch: withUserAgent("first-agent/1.0") });
    await claim(sent.claimUrl, { fetch: withUserAgent("second-agent/2.0") });

    const events = await client.events(sent.id);
    expect(events.map((event) => event.type)).toEqual([
      "kubbi.created",
      "kubbi.claimed",
      "kubbi.claimed",
      "kubbi.burned",
    ]);
    const [created, first, second, burned] = events;
    expect(created).toMatchObject({
      kubbiId: sent.id,
      retrievalCount: 0,
      maxRetrievals: 2,
      retrievalsLeft: 2,
      client: null,
    });
    expect(first).toMatchObject({
      retrievalCount: 1,
      retrievalsLeft: 1,
      client: { address: "127.0.0.1", userAgent: "first-agent/1.0" },
    });
    expect(second).toMatchObject({
      retrievalCount: 2,
      retrievalsLeft: 0,
      client: { address: "127.0.0.1", userAgent: "second-agent/2.0" },
    });
    expect(burned).toMatchObject({ retrievalCount: 2, retrievalsLeft: 0 });
    // Ids increase in the order things happened, and nothing of the content travels in an event.
    expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort(compareIds));
    expect(JSON.stringify(events)).not.toContain("s3cr3t");
    expect(JSON.stringify(events)).not.toContain(sent.claimToken);

    expect(await client.get(sent.id)).toMatchObject({
      status: "burned",
      lastClaim: { at: second!.occurredAt, address: "127.0.0.1", userAgent: "second-agent/2.0" },
      expiredUnclaimed: false,
      inspectCount: 1,
    });
  });

  it("an unknown id, and another key's kubbi, are KubbiNotFoundError", async () => {
    const theirs = await new KubbiClient({ apiKey: secondApiKey, baseUrl }).send({
      content: "not yours",
      contentType: "text/plain",
      ttlSeconds: 600,
    });
    await expect(client.events(UNKNOWN_ID)).rejects.toBeInstanceOf(KubbiNotFoundError);
    await expect(client.events(theirs.id)).rejects.toBeInstanceOf(KubbiNotFoundError);
  });

  it("an unclaimed kubbi past its TTL says expiredUnclaimed, with no last claim", async () => {
    const sent = await client.send({ content: "nobody came", contentType: "text/plain", ttlSeconds: 1 });
    // Expiry is decided on the API's clock (this machine's): wait until it has passed.
    await new Promise((done) => setTimeout(done, Date.parse(sent.expiresAt) - Date.now() + 100));
    expect(await client.get(sent.id)).toMatchObject({ status: "expired", expiredUnclaimed: true, lastClaim: null });
  });
});

/** Stream ids are `<ms>-<seq>`: numeric order, not string order. */
function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split("-").map(BigInt);
  const [bms, bseq] = b.split("-").map(BigInt);
  return ams! === bms! ? Number(aseq! - bseq!) : ams! < bms! ? -1 : 1;
}

describe("client.allEvents({ since })", () => {
  it("resumes from a stored id, mid-page, without a repeat or a gap", async () => {
    // Other tests write to this key meanwhile: the check is on order and on this test's own kubbis.
    const mine = await Promise.all(
      [1, 2, 3].map((n) =>
        client.send({ content: `resume ${n}`, contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 1 }),
      ),
    );
    for (const sent of mine) await claim(sent.claimUrl);

    // A first poller reads five events (limit 2: it stops in the middle of the third page) and stores the last id.
    const firstRun = await collect(client.allEvents({ limit: 2 }), 5);
    expect(firstRun).toHaveLength(5);
    const stored = firstRun.at(-1)!.id;
    // Later, a new process resumes from the stored id.
    const secondRun = await collect(client.allEvents({ since: stored, limit: 2 }));
    const resumed = [...firstRun, ...secondRun].map((event) => event.id);

    // One walk of everything, made afterwards, starts with exactly what the two runs saw together.
    const everything = (await collect(client.allEvents({ limit: 1000 }))).map((event) => event.id);
    expect(everything.slice(0, resumed.length)).toEqual(resumed);
    expect(new Set(resumed).size).toBe(resumed.length);
    expect(resumed).toEqual([...resumed].sort(compareIds));
    // Every event of this test's kubbis is there, once each.
    const all = [...firstRun, ...secondRun];
    for (const sent of mine)
      expect(all.filter((event) => event.kubbiId === sent.id).map((event) => event.type)).toEqual([
        "kubbi.created",
        "kubbi.claimed",
        "kubbi.burned",
      ]);
  });

  it("since is exclusive: resuming from an event's id gives only what came after it", async () => {
    const marker = await client.send({ content: "marker", contentType: "text/plain", ttlSeconds: 600 });
    const [created] = await client.events(marker.id);
    await client.delete(marker.id);
    // Other tests add events to this key meanwhile: only this kubbi's are looked at.
    const after = await collect(client.allEvents({ since: created!.id }));
    expect(after.every((event) => compareIds(event.id, created!.id) > 0)).toBe(true);
    expect(after.filter((event) => event.kubbiId === marker.id).map((event) => event.type)).toEqual(["kubbi.deleted"]);
  });
});
