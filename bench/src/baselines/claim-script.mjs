// @ts-check
/**
 * What the limit and the framework floor share: the API's own claim script, run by EVALSHA through
 * the API's Redis client on one pre-seeded kubbi, and a 1 KB JSON answer shaped like a claim response.
 */
import { Redis } from "ioredis";
import { CLAIM } from "@kubbi/api/dist/store/lua/claim.js";
import { CONTENT_1KB } from "../payloads.mjs";

const metaKey = process.env.BENCH_META_KEY ?? "";
const payloadKey = process.env.BENCH_PAYLOAD_KEY ?? "";
const infoKey = process.env.BENCH_INFO_KEY ?? "";

export function connectRedis() {
  const redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: 2 });
  // defineCommand runs the script by EVALSHA (EVAL only on NOSCRIPT), exactly as the API does.
  redis.defineCommand(CLAIM.name, { numberOfKeys: CLAIM.numberOfKeys, lua: CLAIM.lua });
  return redis;
}

/** One claim of the seeded kubbi; resolves to the answer, or null when the script did not claim. */
export async function claimSeeded(redis) {
  // As RedisStore.claim calls it on one Redis: no size limit, the client for the events, which the
  // script appends itself (inline), nothing trimmed. The reply: {events, outcome, sealed, burned, ..., state}.
  const reply = await redis[`${CLAIM.name}Buffer`](
    metaKey,
    payloadKey,
    infoKey,
    String(Date.now()),
    "",
    "127.0.0.1",
    "bench",
    "1",
    "0",
  );
  const [, outcome, , burned] = reply;
  if (outcome.toString() !== "claimed") return null;
  // The state hash comes last, as one JSON object (record-codec.ts stateAsJson), parsed as the store does.
  const fields = JSON.parse(reply[9].toString("utf8"));
  return {
    type: "kubbi",
    kubbi_id: fields.id,
    content: CONTENT_1KB,
    content_type: fields.ct,
    metadata: null,
    created_at: new Date(Number(fields.cre)).toISOString(),
    expires_at: new Date(Number(fields.exp)).toISOString(),
    retrieval_count: Number(fields.cnt),
    remaining_reads: null,
    burned: burned.toString() === "1",
  };
}

/** Tells the parent where the server listens, in the line format test-utils waits for. */
export function announce(server) {
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ msg: `listening on http://127.0.0.1:${address.port}` })}\n`);
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
