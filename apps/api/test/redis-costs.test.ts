import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { consumer } from "./support/http.js";
import { keysMatching, useStack } from "./support/stacks.js";

const OPS = 200;

/** Total calls and Redis CPU µs over every command, from INFO commandstats (commands run inside scripts included). */
async function commandStats(db: Redis): Promise<{ calls: number; usec: number; byCommand: Record<string, number> }> {
  const info = await db.info("commandstats");
  let calls = 0;
  let usec = 0;
  const byCommand: Record<string, number> = {};
  for (const [, name, count, micros, failed] of info.matchAll(
    /cmdstat_([^:]+):calls=(\d+),usec=(\d+).*?failed_calls=(\d+)/g,
  )) {
    if (name === "info" || name!.startsWith("config")) continue;
    // A failed call here is an EVALSHA answered NOSCRIPT (a script's first run on a connection): its EVAL is counted instead.
    calls += Number(count) - Number(failed);
    usec += Number(micros);
    byCommand[name!] = Number(count) - Number(failed);
  }
  return { calls, usec, byCommand };
}

/** Redis's own CPU time so far (user + system), in µs: the honest total, where commandstats counts a script's inner commands twice. */
async function cpuMicros(db: Redis): Promise<number> {
  const info = await db.info("cpu");
  const seconds = (name: string) => Number(info.match(new RegExp(`${name}:([0-9.]+)`))?.[1] ?? 0);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

/**
 * Runs `op` OPS times between a reset and a read of the stats: commands per op (script inner commands
 * included, as commandstats counts them; the rate counter's batched flushes left out) and Redis CPU µs per op.
 */
async function perOp(db: Redis, op: (n: number) => Promise<unknown>) {
  await db.config("RESETSTAT");
  const cpuBefore = await cpuMicros(db);
  for (let n = 0; n < OPS; n++) await op(n);
  const cpu = (await cpuMicros(db)) - cpuBefore;
  const stats = await commandStats(db);
  const rateFlushes = stats.byCommand.incrby ?? 0;
  // A flush that opens a new rate window also sets its expiry: a run that crosses a minute has one more.
  const rateWindows = stats.byCommand.pexpire ?? 0;
  const scripts = (stats.byCommand.evalsha ?? 0) + (stats.byCommand.eval ?? 0) - rateFlushes;
  return {
    commands: (stats.calls - 2 * rateFlushes - rateWindows) / OPS,
    scriptsPerOp: scripts / OPS,
    usec: cpu / OPS,
    byCommand: stats.byCommand,
  };
}

/**
 * Redis work per operation, counted by Redis itself (INFO commandstats), and Redis memory per kubbi
 * (MEMORY USAGE): the inputs of docs/capacity.md. The bounds are the layout's, so a change that adds
 * commands or bytes fails here; the µs are printed, never asserted.
 */
describe("Redis work and memory per operation", () => {
  // The periodic index sweep is held off: its work is per minute, not per operation.
  const stack = useStack("redis", {
    env: {
      KUBBI_RATE_LIMIT_PER_MINUTE: "1000000",
      KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "1000000",
      KUBBI_MAX_ACTIVE_KUBBIS: "1000000",
      KUBBI_INDEX_SWEEP_SECONDS: "86400",
      KUBBI_EXPIRY_CHECK_MS: "86400000",
      // The webhook worker's registry read (no endpoint here) is background work, not the operations'.
      KUBBI_WEBHOOK_POLL_MS: "86400000",
    },
  });

  it("commands per create, inspect and burning claim; bytes per live kubbi and per tombstone", async () => {
    const db = stack.db as Redis;
    const urls: string[] = [];
    const note = (n: number) => ({
      content: "x".repeat(1024),
      content_type: "text/plain",
      ttl_seconds: 3600,
      max_retrievals: 1,
      metadata: { n },
    });
    // Warm up: the first create of an owner pays for its index, the first run of each script on the
    // connection its load (EVALSHA, NOSCRIPT, EVAL); the cost measured is the steady state.
    const warm = await stack.producer.create(note(-1));
    await consumer.inspect(warm.body.claim_url);
    await consumer.claim(warm.body.claim_url);
    // ...and the rate counter's first flush (every 50 ms) has loaded its script too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const create = await perOp(db, async (n) => urls.push((await stack.producer.create(note(n))).body.claim_url));
    const inspect = await perOp(db, (n) => consumer.inspect(urls[n]!));

    const metaKeys = await keysMatching(db, "kb:*:m");
    const usage = async (keys: string[]) =>
      (await Promise.all(keys.map((key) => db.memory("USAGE", key, "SAMPLES", 0)))).reduce<number>(
        (sum, bytes) => sum + Number(bytes ?? 0),
        0,
      );
    const ownerIndex = async () =>
      usage([
        ...(await keysMatching(db, "own:*:l")),
        ...(await keysMatching(db, "own:*:e")),
        ...(await keysMatching(db, "own:*:id:*")),
      ]);
    const kubbiCount = metaKeys.length;
    const liveBytes = ((await usage(await keysMatching(db, "kb:*"))) + (await ownerIndex())) / kubbiCount;

    const claim = await perOp(db, (n) => consumer.claim(urls[n]!));
    const tombstoneBytes = ((await usage(await keysMatching(db, "kb:*"))) + (await ownerIndex())) / kubbiCount;
    // Events: the owner's stream, per stored event (created, claimed, burned). Each kubbi's event ids ride in
    // its id key, counted in the owner index above (the tombstone's share).
    const streams = await keysMatching(db, "own:*:ev");
    const eventCount = (await Promise.all(streams.map((key) => db.xlen(key)))).reduce((sum, n) => sum + n, 0);
    const streamBytes = (await usage(streams)) / eventCount;

    console.log(
      `redis costs: create ${create.commands} commands ${create.usec.toFixed(1)} µs; ` +
        `inspect ${inspect.commands} commands ${inspect.usec.toFixed(1)} µs; burning claim ${claim.commands} commands ${claim.usec.toFixed(1)} µs; ` +
        `live 1 KB kubbi ${liveBytes.toFixed(0)} bytes, tombstone ${tombstoneBytes.toFixed(0)} bytes (owner index share included); ` +
        `${streamBytes.toFixed(0)} bytes per event in the stream (${eventCount} events)`,
    );
    expect(claim.scriptsPerOp, JSON.stringify(claim.byCommand)).toBe(1); // one script call per claim, burning ones included: one round trip
    expect(inspect.scriptsPerOp, JSON.stringify(inspect.byCommand)).toBe(1);
    expect(create.scriptsPerOp, JSON.stringify(create.byCommand)).toBe(1); // one Redis: a create is one script
    // Each event costs an XADD; a script's events add their ids to the kubbi's id key with one GET and SET.
    // A create: the owner's cap count, 2 index entries, created event and id key, then the kubbi's 4 writes
    // (payload, info, state, the state's expiry; the info key only for a kubbi with metadata or files).
    expect(create.commands, JSON.stringify(create.byCommand)).toBeLessThanOrEqual(10);
    // The state read once and written once; claimed and burned appended together.
    expect(claim.commands, JSON.stringify(claim.byCommand)).toBeLessThanOrEqual(10);
    expect(inspect.commands, JSON.stringify(inspect.byCommand)).toBeLessThanOrEqual(5);
    // The last claim's client, the inspect count and the kubbi's event ids (in its id key) included.
    expect(tombstoneBytes).toBeLessThan(850);
    expect(eventCount).toBe(3 * (OPS + 1));
    expect(streamBytes).toBeLessThanOrEqual(200); // issue 12's target for a stored event
  });

  it("claims of a kubbi without a limit append their event ids, never reading its growing id key back", async () => {
    const db = stack.db as Redis;
    const made = await stack.producer.create({
      content: "again",
      content_type: "text/plain",
      ttl_seconds: 3600,
      max_retrievals: null,
    });
    await consumer.claim(made.body.claim_url);
    const claims = await perOp(db, () => consumer.claim(made.body.claim_url));
    // One APPEND per claim, and the only GETs are the payload's and its info's: the cost of an event does not
    // grow with the number of claims before it.
    expect(claims.byCommand.append, JSON.stringify(claims.byCommand)).toBe(OPS);
    expect(claims.byCommand.get, JSON.stringify(claims.byCommand)).toBe(2 * OPS);
    expect(claims.byCommand.set ?? 0, JSON.stringify(claims.byCommand)).toBe(0);
    expect((await stack.producer.get(made.body.id)).body).toMatchObject({ retrieval_count: OPS + 1 });
  });
});
