import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startRedis, type RedisServer } from "./redis.js";

const run = promisify(execFile);

export interface RedisCluster {
  /** Seed nodes for REDIS_CLUSTER_NODES: every node, "127.0.0.1:port,...". */
  nodes: string;
  servers: RedisServer[];
  /** The servers that are masters right now. */
  masters(): Promise<RedisServer[]>;
  /** Resolves once every slot is served by a master (and, by default, each master has its replicas in sync). */
  waitHealthy(options?: { replicasInSync?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** redis-cli against one node; redis-tools (Debian) ships it next to redis-server. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.env.REDIS_CLI_BIN ?? "redis-cli",
    ["-h", "127.0.0.1", "-p", String(port), ...args],
    { timeout: 30_000 },
  );
  return stdout;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A local Redis Cluster on loopback: `masters` masters with `replicasPerMaster` replicas each, every node
 * a redis-server with --cluster-enabled yes, its own directory and node file, and the append-only file on.
 */
export async function startRedisCluster({ masters = 3, replicasPerMaster = 1 } = {}): Promise<RedisCluster> {
  const count = masters * (1 + replicasPerMaster);
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      servers.push(
        await startRedis({
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
            "--repl-diskless-sync",
            "yes",
            "--repl-diskless-sync-delay",
            "0",
          ],
        }),
      );
    }
    await redisCli(
      servers[0]!.port,
      "--cluster",
      "create",
      ...servers.map((server) => `127.0.0.1:${server.port}`),
      "--cluster-replicas",
      String(replicasPerMaster),
      "--cluster-yes",
    );
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  const alive = () => servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
  const cluster: RedisCluster = {
    nodes: servers.map((server) => `127.0.0.1:${server.port}`).join(","),
    servers,
    async masters() {
      const roles = await Promise.all(
        alive().map(async (server) =>
          (await redisCli(server.port, "role")).startsWith("master") ? server : undefined,
        ),
      );
      return roles.filter((server): server is RedisServer => server !== undefined);
    },
    async waitHealthy({ replicasInSync = true } = {}) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const states = await Promise.all(
          alive().map((server) => redisCli(server.port, "cluster", "info").catch(() => "")),
        );
        const masterNodes = await cluster.masters().catch(() => []);
        const replication = replicasInSync
          ? await Promise.all(masterNodes.map((server) => redisCli(server.port, "info", "replication").catch(() => "")))
          : [];
        const served = states.every((state) => state.includes("cluster_state:ok")) && masterNodes.length === masters;
        const synced = replication.every((info) => (info.match(/state=online/g) ?? []).length >= replicasPerMaster);
        if (served && synced) return;
        if (Date.now() > deadline) throw new Error(`the cluster did not become healthy:\n${states.join("\n")}`);
        await sleep(200);
      }
    },
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
  await cluster.waitHealthy();
  return cluster;
}
