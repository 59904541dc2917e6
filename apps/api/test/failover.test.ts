import { setTimeout as sleep } from "node:timers/promises";
import { startRedis, type RedisServer } from "@kubbi/test-utils";
import { describe, expect, it } from "vitest";
import { auditHandoffs, startHandoffLoad, whenAcknowledged } from "./support/handoff-load.js";
import { startStack } from "./support/stacks.js";

const ENV = {
  KUBBI_REDIS_WAIT_REPLICAS: "1",
  KUBBI_REDIS_WAIT_TIMEOUT_MS: "1000",
  KUBBI_RATE_LIMIT_PER_MINUTE: "1000000",
  KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "1000000",
  KUBBI_MAX_ACTIVE_KUBBIS: "1000000",
};

/**
 * A 3-master + 3-replica cluster on loopback under a bounded load of creates and burning claims; one
 * master is killed with kill -9 mid-load, its replica takes over, and the killed node is restarted (it
 * rejoins as a replica, as a supervisor would bring it back). With KUBBI_REDIS_WAIT_REPLICAS=1 no
 * acknowledged kubbi may be lost and none served more than max_retrievals times.
 */
describe("a Redis Cluster failover under load, with KUBBI_REDIS_WAIT_REPLICAS=1", () => {
  it("every error is a retryable 503, the service recovers, no acknowledged kubbi is lost, none is claimed twice", {
    timeout: 180_000,
  }, async () => {
    const stack = await startStack("cluster", { env: ENV });
    const cluster = stack.cluster!;
    stack.db!.disconnect();
    let rejoined: RedisServer | undefined;
    try {
      const load = startHandoffLoad(stack.producer);
      await whenAcknowledged(load.record, 150);
      const [victim] = await cluster.masters();
      await victim!.halt("SIGKILL");
      const killedAt = Date.now();
      // /readyz: not ready while a master that serves slots does not answer (bounded poll; the failover takes seconds).
      let readyDuringOutage = (await fetch(`${stack.api.baseUrl}/readyz`)).status;
      for (let poll = 0; readyDuringOutage === 200 && poll < 20; poll++) {
        await sleep(50);
        readyDuringOutage = (await fetch(`${stack.api.baseUrl}/readyz`)).status;
      }
      const notReadyAfter = Date.now() - killedAt;

      // Wait for the replica to take over, then bring the killed node back as its replica.
      const deadline = Date.now() + 60_000;
      while ((await cluster.masters()).length < 3 && Date.now() < deadline) await sleep(200);
      const promotedAt = Date.now();
      rejoined = await startRedis({
        port: victim!.port,
        dir: victim!.dir,
        args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"],
      });
      cluster.servers[cluster.servers.indexOf(victim!)] = rejoined;
      await cluster.waitHealthy();
      // Recovered: a stretch of load with no error at all.
      let quietSince = Date.now();
      let errorsSeen = load.record.errors.length;
      while (Date.now() - quietSince < 3000 && Date.now() < deadline + 30_000) {
        await sleep(100);
        if (load.record.errors.length !== errorsSeen) {
          errorsSeen = load.record.errors.length;
          quietSince = Date.now();
        }
      }
      await whenAcknowledged(load.record, 50);
      await load.stop();

      const { record } = load;
      const unexpected = record.errors.filter((error) => error.status !== 503 && error.status !== 0);
      expect(unexpected).toEqual([]);
      expect(Date.now() - quietSince).toBeGreaterThanOrEqual(3000); // it recovered
      expect(readyDuringOutage).toBe(503);
      expect((await fetch(`${stack.api.baseUrl}/readyz`)).status).toBe(200);
      const { lost, revived, overClaimed } = await auditHandoffs(record);
      expect({ lost, revived, overClaimed }).toEqual({ lost: [], revived: [], overClaimed: [] });

      const afterKill = record.errors.filter((error) => error.at >= killedAt);
      const firstError = afterKill[0]?.at ?? killedAt;
      const lastError = afterKill.at(-1)?.at ?? killedAt;
      console.log(
        `failover: ${record.acknowledged.length} acknowledged kubbis audited; ${afterKill.length} errors (${afterKill.filter((error) => error.status === 503).length} x 503, ${afterKill.filter((error) => error.status === 0).length} network); ` +
          `/readyz ${readyDuringOutage} ${notReadyAfter} ms after the kill; replica promoted ${promotedAt - killedAt} ms after the kill; ` +
          `error window ${lastError - firstError} ms (first error ${firstError - killedAt} ms after the kill); recovered ${lastError - killedAt} ms after the kill`,
      );
    } finally {
      await stack.api.stop();
      await cluster.stop();
    }
  });
});
