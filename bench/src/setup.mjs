// @ts-check
/** Puts in Redis what the scenarios read: the kubbis to inspect and claim, the list keys, the baselines' kubbi. */
import { hashClaimToken } from "@kubbi/api/dist/crypto/tokens.js";
import { single1kbBody } from "./payloads.mjs";
import { runLoad } from "./load/run-load.mjs";
import { environmentKeyId } from "./stack.mjs";

const MAX_RETRIEVALS = 1_000_000; // the most the API allows: enough for every claim of a full run
const SEED_CONNECTIONS = 32;

export async function createKubbi(baseUrl, apiKey, body) {
  const response = await fetch(`${baseUrl}/api/v1/kubbis`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body,
  });
  if (response.status !== 201)
    throw new Error(`creating a kubbi answered ${response.status}: ${await response.text()}`);
  return /** @type {Promise<{claim_token: string, id: string}>} */ (response.json());
}

/** Two long-lived 1 KB kubbis on the main key: one only inspected, one claimed over and over. */
export async function createTargets(api) {
  const body = single1kbBody({ maxRetrievals: MAX_RETRIEVALS, ttlSeconds: 86_400 });
  const inspect = await createKubbi(api.baseUrl, api.keys.main, body);
  const claim = await createKubbi(api.baseUrl, api.keys.main, body);
  return { inspectToken: inspect.claim_token, claimToken: claim.claim_token };
}

/**
 * The baselines claim a real kubbi made by the API, copied under its own keys with no retrieval cap,
 * so they run the claim script on exactly the record shape the API stores and never burn it.
 */
export async function seedBaselineKubbi(api, redis) {
  const created = await createKubbi(
    api.baseUrl,
    api.keys.main,
    single1kbBody({ maxRetrievals: MAX_RETRIEVALS, ttlSeconds: 86_400 }),
  );
  const source = hashClaimToken(created.claim_token);
  const keys = { meta: "kb:{bench-baseline}:m", payload: "kb:{bench-baseline}:d", info: "kb:{bench-baseline}:i" };
  await redis.client.copy(`kb:{${source}}:m`, keys.meta, "REPLACE");
  await redis.client.copy(`kb:{${source}}:d`, keys.payload, "REPLACE");
  await redis.client.copy(`kb:{${source}}:i`, keys.info, "REPLACE");
  await redis.client.hset(keys.meta, "max", "");
  return keys;
}

/**
 * Creates `count` 1 KB kubbis on one key through the API (the stored format is the real one), many
 * at a time, and returns the Redis bytes they added.
 */
export async function seedKubbis(api, redis, apiKey, count) {
  const before = await redis.usedMemory();
  const result = await runLoad(
    {
      url: api.baseUrl,
      connections: SEED_CONNECTIONS,
      amount: count,
      workload: {
        kind: "fixed",
        method: "POST",
        path: "/api/v1/kubbis",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: single1kbBody({ ttlSeconds: 86_400 }),
      },
    },
    { serverPid: api.pid, redisCpuSeconds: redis.cpuSeconds },
  );
  const created = result.statusCodes["201"]?.count ?? 0;
  if (created !== count)
    throw new Error(
      `seeding created ${created} of ${count} kubbis: ${JSON.stringify(result.statusCodes)}, ${result.errors} errors`,
    );
  const after = await redis.usedMemory();
  return {
    count,
    seconds: result.wallSeconds,
    redisBytes: after - before,
    redisBytesPerKubbi: (after - before) / count,
  };
}

/**
 * Where a stored kubbi's Redis bytes go: MEMORY USAGE of one kubbi's own keys, and of the owner's
 * index zsets divided by the kubbis in them (found as the zsets holding exactly `count` members).
 */
export async function redisBreakdown(api, redis, count) {
  const created = await createKubbi(api.baseUrl, api.keys.main, single1kbBody({ ttlSeconds: 86_400 }));
  const tokenHash = hashClaimToken(created.claim_token);
  const usage = async (key) => Number(await redis.client.memory("USAGE", key, "SAMPLES", "0"));
  const perKubbi = {
    payload: await usage(`kb:{${tokenHash}}:d`),
    meta: await usage(`kb:{${tokenHash}}:m`),
    idIndex: await usage(`own:{${environmentKeyId(api.keys.main)}}:id:${created.id}`),
  };
  const zsets = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.client.scan(cursor, "MATCH", "own:*", "COUNT", "10000");
    zsets.push(...keys.filter((key) => !key.includes(":id:")));
    cursor = next;
  } while (cursor !== "0");
  for (const key of zsets) {
    // The owner's index zsets; its event stream and cursors are other types.
    if ((await redis.client.type(key)) !== "zset") continue;
    if ((await redis.client.zcard(key)) === count) perKubbi[`ownerIndex ${key.slice(-1)}`] = (await usage(key)) / count;
  }
  return perKubbi;
}
