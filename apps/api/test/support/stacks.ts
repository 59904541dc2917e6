import {
  startApi,
  startRedis,
  startRedisCluster,
  type ApiProcess,
  type RedisCluster,
  type RedisServer,
  type StartApiOptions,
} from "@kubbi/test-utils";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { producer, type Producer } from "./http.js";

export type StoreKind = "redis" | "cluster" | "memory";
/** The behaviour suites run on one Redis, on a Redis Cluster (3 masters, 3 replicas) and on the in-process store. */
export const STORE_KINDS: StoreKind[] = ["redis", "cluster", "memory"];

/** Where an API process finds its Redis: what startApi takes. */
export type StoreConnection = Pick<StartApiOptions, "redisUrl" | "redisClusterNodes">;

export interface Stack {
  api: ApiProcess;
  redis?: RedisServer;
  cluster?: RedisCluster;
  /** Pass to startApi to start a sibling process on the same store. */
  connection: StoreConnection;
  /** A direct connection for looking at what is stored (redis and cluster stacks only). */
  db?: Redis | Cluster;
  producer: Producer;
  stop(): Promise<void>;
}

export type StackOptions = Omit<StartApiOptions, "redisUrl" | "redisClusterNodes"> & {
  /** Extra redis-server arguments for a redis stack, e.g. ["--appendfsync", "always"]. */
  redisArgs?: string[];
};

/** A real API process on its own redis-server, its own local cluster, or the in-process store. */
export async function startStack(kind: StoreKind, { redisArgs, ...options }: StackOptions = {}): Promise<Stack> {
  const redis = kind === "redis" ? await startRedis({ args: redisArgs }) : undefined;
  const cluster = kind === "cluster" ? await startRedisCluster() : undefined;
  const connection: StoreConnection = redis
    ? { redisUrl: redis.url }
    : cluster
      ? { redisClusterNodes: cluster.nodes }
      : {};
  const api = await startApi({ ...options, ...connection }).catch(async (error: unknown) => {
    await Promise.all([redis?.stop(), cluster?.stop()]);
    throw error;
  });
  const db = redis
    ? new Redis(redis.url)
    : cluster
      ? new Cluster(cluster.nodes.split(",").map((node) => ({ host: "127.0.0.1", port: Number(node.split(":")[1]) })))
      : undefined;
  // A cluster client knows its masters once it has read the slot map.
  if (db instanceof Cluster && db.status !== "ready") await new Promise((resolve) => db.once("ready", resolve));
  return {
    api,
    redis,
    cluster,
    connection,
    db,
    producer: producer(api.baseUrl, api.apiKey),
    async stop() {
      db?.disconnect();
      await api.stop();
      await Promise.all([redis?.stop(), cluster?.stop()]);
    },
  };
}

/** The servers holding data: the one server, or every master of a cluster. */
const dataNodes = (db: Redis | Cluster): Redis[] => (db instanceof Cluster ? db.nodes("master") : [db]);

/** Every key matching a pattern, across every master. */
export async function keysMatching(db: Redis | Cluster, pattern: string): Promise<string[]> {
  const keys = await Promise.all(dataNodes(db).map((node) => node.keys(pattern)));
  return keys.flat();
}

/** Every key and value in Redis, values rendered as raw bytes (hashes field by field). */
export async function dumpRedis(db: Redis | Cluster): Promise<Array<{ key: string; type: string; bytes: Buffer }>> {
  const dump: Array<{ key: string; type: string; bytes: Buffer }> = [];
  for (const node of dataNodes(db)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await node.type(key);
        let bytes: Buffer;
        if (type === "string") bytes = (await node.getBuffer(key)) ?? Buffer.alloc(0);
        else if (type === "hash")
          bytes = Buffer.concat(
            Object.entries(await node.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]),
          );
        else if (type === "zset") bytes = Buffer.concat(await node.zrangeBuffer(key, 0, -1));
        else if (type === "set") bytes = Buffer.concat(await node.smembersBuffer(key));
        else if (type === "list") bytes = Buffer.concat(await node.lrangeBuffer(key, 0, -1));
        else if (type === "stream")
          bytes = Buffer.concat((await node.xrangeBuffer(key, "-", "+")).flatMap(([id, fields]) => [id, ...fields]));
        else bytes = Buffer.from(`unexpected type ${type}`);
        dump.push({ key, type, bytes });
      }
    } while (cursor !== "0");
  }
  return dump;
}

/**
 * What requests stored: the dump without the keys that move on their own by design, rate-limit counters
 * (rl:, every request) and the periodic jobs' turns (job:, every interval), so a test can prove a rejected
 * request changed nothing.
 */
export async function storedByRequests(
  db: Redis | Cluster,
): Promise<Array<{ key: string; type: string; bytes: Buffer }>> {
  return (await dumpRedis(db)).filter((entry) => !entry.key.startsWith("rl:") && !entry.key.startsWith("job:"));
}

export const tokenOf = (claimUrl: string) => claimUrl.slice(claimUrl.lastIndexOf("/") + 1);

/** A stack for the enclosing describe block: started before its tests, stopped after them. */
export function useStack(kind: StoreKind, options: StackOptions = {}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(kind, options));
  }, 90_000);
  afterAll(() => stack.stop());
  return stack;
}
