// @ts-check
/**
 * Redis work and memory per operation, counted by Redis: commands per create, inspect and burning claim
 * (INFO commandstats, a script's inner commands included), Redis CPU µs per operation (INFO cpu), and
 * Redis bytes per live kubbi at 1 KB and 100 KB and per tombstone, each with its share of the owner's
 * index (MEMORY USAGE). The inputs of docs/capacity.md. Operations run CONCURRENCY at a time on a fresh
 * API key, so Redis's own background work (its cron, the append-only file's fsync) is spread over many of
 * them, as under load; Redis CPU is given twice: all of it (INFO cpu) and the scripts' execution alone
 * (INFO commandstats: every operation is one script, whose time includes its inner commands).
 */
import { asciiText, KIB } from "./payloads.mjs";
import { createKubbi } from "./setup.mjs";

const OPS = 300;
const LARGE_OPS = 50;
const CONCURRENCY = 16;

/** Every key matching a pattern (the bench's Redis is one server). */
async function keysMatching(client, pattern) {
  const keys = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", pattern, "COUNT", "10000");
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/** Calls per command, and the µs Redis spent executing scripts (EVALSHA and EVAL, inner commands included). */
async function commandStats(client) {
  const info = await client.info("commandstats");
  const calls = {};
  let scriptMicros = 0;
  for (const [, name, count, micros] of info.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)) {
    if (name !== "info" && !name.startsWith("config") && name !== "scan") calls[name] = Number(count);
    if (name === "evalsha" || name === "eval") scriptMicros += Number(micros);
  }
  return { calls, scriptMicros };
}

export async function measureRedisCosts(api, redis) {
  const { client } = redis;
  const apiKey = api.keys.costs;
  const ownerTag = `own:{env_*`;
  const perOp = async (count, op) => {
    await client.config("RESETSTAT");
    const cpuBefore = await redis.cpuSeconds();
    for (let first = 0; first < count; first += CONCURRENCY) {
      const wave = Array.from({ length: Math.min(CONCURRENCY, count - first) }, (_, i) => first + i);
      await Promise.all(wave.map(op));
    }
    const cpuMicros = ((await redis.cpuSeconds()) - cpuBefore) * 1e6;
    const { calls, scriptMicros } = await commandStats(client);
    // The rate counter's batched flushes (one script with INCRBY, PEXPIRE) are not per-operation work.
    const flushes = calls.incrby ?? 0;
    const total = Object.values(calls).reduce((sum, value) => sum + value, 0) - 2 * flushes - (calls.pexpire ?? 0);
    return { commands: total / count, redisCpuMicros: cpuMicros / count, scriptMicros: scriptMicros / count, calls };
  };
  const body = (bytes, n) =>
    JSON.stringify({
      content: asciiText(bytes),
      content_type: "text/plain",
      ttl_seconds: 3600,
      max_retrievals: 1,
      metadata: { n },
    });
  const tokens = [];
  await createKubbi(api.baseUrl, apiKey, body(KIB, -1)); // the owner's index exists: the steady state is measured
  const create = await perOp(OPS, async (n) =>
    tokens.push((await createKubbi(api.baseUrl, apiKey, body(KIB, n))).claim_token),
  );
  const inspect = await perOp(OPS, (n) =>
    fetch(`${api.baseUrl}/r/${tokens[n]}`).then((response) => response.arrayBuffer()),
  );

  const usage = async (keys) => {
    let bytes = 0;
    for (const key of keys) bytes += Number((await client.memory("USAGE", key, "SAMPLES", "0")) ?? 0);
    return bytes;
  };
  // Only this key's kubbis: its owner index holds OPS + 1 entries; kubbi keys are found through it.
  // The owner's index zsets (its event stream and cursors are other types).
  const costsOwner = [];
  for (const key of await keysMatching(client, `${ownerTag}}:*`))
    if ((await client.type(key)) === "zset" && (await client.zcard(key)) === OPS + 1) costsOwner.push(key);
  const tokenHashes = await client.zrange(costsOwner[0], 0, -1);
  const ownerId = costsOwner[0].slice("own:{".length, costsOwner[0].lastIndexOf("}"));
  const kubbiKeys = tokenHashes.flatMap((hash) => [`kb:{${hash}}:m`, `kb:{${hash}}:d`, `kb:{${hash}}:i`]);
  // The owner's index, id keys (each with its kubbi's event ids) and event stream.
  const indexBytes = async () =>
    (await usage(costsOwner)) +
    (await usage(await keysMatching(client, `own:{${ownerId}}:id:*`))) +
    (await usage([`own:{${ownerId}}:ev`]));
  const live1kb = ((await usage(kubbiKeys)) + (await indexBytes())) / tokenHashes.length;

  const claim = await perOp(OPS, (n) =>
    fetch(`${api.baseUrl}/r/${tokens[n]}/claim`, { method: "POST" }).then((response) => response.arrayBuffer()),
  );
  // All but the warm-up kubbi are tombstones now.
  const tombstone = ((await usage(kubbiKeys)) + (await indexBytes())) / tokenHashes.length;

  for (let n = 0; n < LARGE_OPS; n++) await createKubbi(api.baseUrl, apiKey, body(100 * KIB, n));
  const newest = await client.zrange(costsOwner[0], -LARGE_OPS, -1);
  const live100kb =
    (await usage(newest.flatMap((hash) => [`kb:{${hash}}:m`, `kb:{${hash}}:d`, `kb:{${hash}}:i`]))) / LARGE_OPS +
    (await indexBytes()) / (tokenHashes.length + LARGE_OPS);
  return {
    ops: OPS,
    commandsPerOp: { create: create.commands, inspect: inspect.commands, burningClaim: claim.commands },
    redisCpuMicrosPerOp: {
      create: create.redisCpuMicros,
      inspect: inspect.redisCpuMicros,
      burningClaim: claim.redisCpuMicros,
    },
    redisScriptMicrosPerOp: {
      create: create.scriptMicros,
      inspect: inspect.scriptMicros,
      burningClaim: claim.scriptMicros,
    },
    bytes: { live1kb, live100kb, tombstone },
  };
}
