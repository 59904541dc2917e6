import { startApi, startRedis, type ApiProcess, type RedisServer, type StartApiOptions } from "@kubbi/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { producer, type Producer } from "./http.js";

export type StoreKind = "redis" | "memory";
export const STORE_KINDS: StoreKind[] = ["redis", "memory"];

export interface Stack {
  api: ApiProcess;
  redis?: RedisServer;
  /** A direct connection for looking at what is stored (redis stacks only). */
  db?: Redis;
  producer: Producer;
  stop(): Promise<void>;
}

/** A real API process on its own redis-server (or on the in-process store). */
export async function startStack(kind: StoreKind, options: Omit<StartApiOptions, "redisUrl"> = {}): Promise<Stack> {
  const redis = kind === "redis" ? await startRedis() : undefined;
  const api = await startApi({ ...options, ...(redis ? { redisUrl: redis.url } : {}) });
  const db = redis ? new Redis(redis.url) : undefined;
  return {
    api,
    redis,
    db,
    producer: producer(api.baseUrl, api.apiKey),
    async stop() {
      db?.disconnect();
      await api.stop();
      await redis?.stop();
    },
  };
}

/** Every key and value in Redis, values rendered as raw bytes (hashes field by field). */
export async function dumpRedis(db: Redis): Promise<Array<{ key: string; type: string; bytes: Buffer }>> {
  const dump: Array<{ key: string; type: string; bytes: Buffer }> = [];
  let cursor = "0";
  do {
    const [next, keys] = await db.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const type = await db.type(key);
      let bytes: Buffer;
      if (type === "string") bytes = (await db.getBuffer(key)) ?? Buffer.alloc(0);
      else if (type === "hash") bytes = Buffer.concat(Object.entries(await db.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]));
      else if (type === "zset") bytes = Buffer.concat((await db.zrangeBuffer(key, 0, -1)));
      else if (type === "set") bytes = Buffer.concat(await db.smembersBuffer(key));
      else if (type === "list") bytes = Buffer.concat(await db.lrangeBuffer(key, 0, -1));
      else bytes = Buffer.from(`unexpected type ${type}`);
      dump.push({ key, type, bytes });
    }
  } while (cursor !== "0");
  return dump;
}

export const tokenOf = (claimUrl: string) => claimUrl.slice(claimUrl.lastIndexOf("/") + 1);

/** A stack for the enclosing describe block: started before its tests, stopped after them. */
export function useStack(kind: StoreKind, options: Omit<StartApiOptions, "redisUrl"> = {}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(kind, options));
  });
  afterAll(() => stack.stop());
  return stack;
}
