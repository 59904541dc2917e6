import { startRedis, type RedisServer } from "@kubbi/test-utils";
import calculateSlot from "cluster-key-slot";
import { Redis, type Command } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import type { RedisStoreOptions } from "../../src/store/redis.js";

/** What the store sent: one entry per batch (a single command, or every command of a pipeline). */
export interface Batch {
  commands: string[];
  keys: string[];
}

/** A real connection whose every command and pipeline is recorded with the keys it touches. */
export function recordingConnection(url: string, batches: Batch[]): Redis {
  const redis = new Redis(url);
  const describe = (command: Command) => ({ name: command.name, keys: command.getKeys().map(String) });
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: Command, stream?: unknown) => {
    if (!stream) {
      const { name, keys } = describe(command);
      batches.push({ commands: [name], keys });
    }
    return send(command, stream as never);
  }) as typeof redis.sendCommand;
  const pipeline = redis.pipeline.bind(redis);
  redis.pipeline = ((...args: Parameters<typeof redis.pipeline>) => {
    const batch = pipeline(...args);
    const exec = batch.exec.bind(batch);
    batch.exec = ((...execArgs: Parameters<typeof batch.exec>) => {
      const queued = (batch as unknown as { _queue: Command[] })._queue.map(describe);
      batches.push({
        commands: queued.map((command) => command.name),
        keys: queued.flatMap((command) => command.keys),
      });
      return exec(...execArgs);
    }) as typeof batch.exec;
    return batch;
  }) as typeof redis.pipeline;
  return redis;
}

/** Options for a RedisStore on a recording connection: no replicas to wait for, a one-minute retention. */
export const RECORDING_STORE_OPTIONS: RedisStoreOptions = {
  waitReplicas: 0,
  waitTimeoutMs: 100,
  retentionMs: 60_000,
  commandTimeoutMs: 5000,
  largestPayloadBytes: 1024,
};

/**
 * For a describe block: a throwaway redis-server and a recording connection to it, opened before its tests
 * and closed after. `redis()` is the connection; `batches` fills as commands go out.
 */
export function useRecordingRedis(): { redis: () => Redis; batches: Batch[] } {
  const batches: Batch[] = [];
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = recordingConnection(server.url, batches);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  return { redis: () => redis, batches };
}

/** The cluster slots a batch's keys live in (computed as ioredis does): more than one is a CROSSSLOT. */
export const slotsOf = (batch: Batch) => new Set(batch.keys.map((key) => calculateSlot(key)));
