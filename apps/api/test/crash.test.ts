import { setTimeout as sleep } from "node:timers/promises";
import { startRedis } from "@kubbi/test-utils";
import { describe, expect, it } from "vitest";
import { auditHandoffs, startHandoffLoad, whenAcknowledged } from "./support/handoff-load.js";
import { startStack } from "./support/stacks.js";

const FSYNC_ALWAYS = ["--appendfsync", "always"];
const UNLIMITED = {
  KUBBI_RATE_LIMIT_PER_MINUTE: "1000000",
  KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: "1000000",
  KUBBI_MAX_ACTIVE_KUBBIS: "1000000",
};

describe("a Redis crash with the append-only file on (appendfsync always)", () => {
  it("kill -9 during creates and burning claims, restart: every acknowledged kubbi is there, no burned kubbi is revived", async () => {
    // appendfsync always: with everysec Redis may delay the write while a slow fsync runs and still
    // answer, so even a process crash can lose up to about 2 s (README, "Durability and failover").
    const stack = await startStack("redis", { env: UNLIMITED, redisArgs: FSYNC_ALWAYS });
    const redis = stack.redis!;
    stack.db!.disconnect();
    let restarted: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const load = startHandoffLoad(stack.producer);
      await whenAcknowledged(load.record, 200);
      await redis.halt("SIGKILL");
      const killedAt = Date.now();
      await sleep(300); // the load keeps running against the dead Redis
      restarted = await startRedis({ port: redis.port, dir: redis.dir, args: FSYNC_ALWAYS });
      await whenAcknowledged(load.record, 50);
      await load.stop();

      const { record } = load;
      // Every failure was a retryable 503 (the API itself never went away).
      expect(record.errors.filter((error) => error.status !== 503)).toEqual([]);
      const { lost, revived, overClaimed } = await auditHandoffs(record);
      expect({ lost, revived, overClaimed }).toEqual({ lost: [], revived: [], overClaimed: [] });
      const burned = record.acknowledged.filter((handoff) => handoff.claims.includes(200)).length;
      const lastError = record.errors.at(-1)?.at ?? killedAt;
      console.log(
        `crash: ${record.acknowledged.length} acknowledged kubbis (${burned} burned) checked after kill -9; ${record.errors.length} answers were 503, for ${lastError - killedAt} ms after the kill`,
      );
      expect(burned).toBeGreaterThan(0);
    } finally {
      await stack.api.stop();
      await (restarted ?? redis).stop();
    }
  });
});
