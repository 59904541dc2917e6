// @ts-check
/**
 * The create floor's store step: the API's own one-Redis create script (CREATE_KUBBI), by EVALSHA
 * through the API's Redis client, with the arguments RedisStore.create sends and a fresh token hash
 * per create. What it leaves out is exactly the API's own work: the key check and rate limit, zod,
 * sealing, the log line and metrics. The body is stored as it came (not sealed).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { kubbiKeys } from "@kubbi/api/dist/store/keys.js";
import { CREATE_KUBBI } from "@kubbi/api/dist/store/lua/owner-index.js";
import { recordToHash } from "@kubbi/api/dist/store/record-codec.js";
import { newKubbiRecord } from "@kubbi/api/dist/store/store.js";

const OWNER_ID = "bench_floor";
const TTL_MS = 3_600_000;
const RETENTION_MS = 3_600_000;
const MAX_ACTIVE = 1_000_000_000;

/** @param {import("ioredis").Redis} redis */
export function defineCreate(redis) {
  redis.defineCommand(CREATE_KUBBI.name, { numberOfKeys: CREATE_KUBBI.numberOfKeys, lua: CREATE_KUBBI.lua });
}

/**
 * Stores one kubbi of the parsed body and resolves to a 201 body shaped like the API's.
 * @param {import("ioredis").Redis} redis
 * @param {{ content: string, content_type: string, max_retrievals: number | null }} body
 */
export async function createFromBody(redis, body) {
  const token = randomBytes(32).toString("base64url");
  const tokenHash = token.slice(0, 22);
  const id = randomUUID();
  const now = Date.now();
  const expiresAt = now + TTL_MS;
  const max = body.max_retrievals === null ? "" : String(body.max_retrievals);
  // The state as the API writes it (record-codec.ts), from a record like the one it builds.
  const state = recordToHash(
    newKubbiRecord({
      id,
      tokenHash,
      ownerId: OWNER_ID,
      kind: "single",
      contentType: body.content_type,
      fileCount: 0,
      totalSizeBytes: body.content.length,
      maxRetrievals: body.max_retrievals,
      createdAt: now,
      expiresAt,
      keyId: "floor",
      epoch: 1,
      sealedInfo: Buffer.alloc(0),
    }),
  );
  await redis[`${CREATE_KUBBI.name}Buffer`](
    ...kubbiKeys(tokenHash),
    ...[now, tokenHash, now, now, expiresAt, RETENTION_MS, MAX_ACTIVE, id, max, "0"].map(String),
    OWNER_ID,
    Buffer.from(body.content, "utf8"),
    "",
    JSON.stringify(state),
  );
  return {
    id,
    claim_url: `http://127.0.0.1/r/${token}`,
    claim_token: token,
    status: "active",
    total_size_bytes: body.content.length,
    max_retrievals: body.max_retrievals,
    metadata: null,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(expiresAt).toISOString(),
    type: "kubbi",
    content_type: body.content_type,
  };
}
