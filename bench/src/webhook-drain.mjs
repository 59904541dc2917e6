// @ts-check
/**
 * What delivering alone costs: an API whose only work is a backlog of events for one webhook endpoint
 * (written straight into the owner's event stream, so no API request is in the measurement). Prints the
 * API's CPU per delivery and the deliveries a second; with --profile, also a CPU profile of that process
 * (bench/profiles/webhook-drain.cpuprofile and .txt).
 *
 *   node src/webhook-drain.mjs [--events 10000] [--profile]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { eventStreamKey } from "@kubbi/api/dist/store/keys.js";
import { processCpuSeconds } from "./proc.mjs";
import { formatProfileSummary, summariseProfile } from "./profile-summary.mjs";
import { environmentKeyId, openRedis, startBenchApi } from "./stack.mjs";
import { eventsWritten, setWebhookEndpoint, startWebhookReceiver } from "./webhook-receiver.mjs";

const { values: flags } = parseArgs({
  options: { events: { type: "string", default: "10000" }, profile: { type: "boolean", default: false } },
});
const EVENTS = Number(flags.events);
const APPEND_BATCH = 1_000;
const profilesDir = fileURLToPath(new URL("../profiles", import.meta.url));
const profileFile = `${profilesDir}/webhook-drain.cpuprofile`;

const redis = await openRedis();
const receiver = await startWebhookReceiver();
if (flags.profile) mkdirSync(profilesDir, { recursive: true });
const api = await startBenchApi(
  redis.url,
  flags.profile
    ? {
        NODE_OPTIONS: `--import=${fileURLToPath(new URL("./cpu-profiler.mjs", import.meta.url))}`,
        BENCH_CPU_PROFILE: profileFile,
      }
    : {},
);
try {
  await setWebhookEndpoint(api.baseUrl, api.keys.webhook, receiver.url);
  const stream = eventStreamKey(environmentKeyId(api.keys.webhook));
  const cpuBefore = processCpuSeconds(api.pid);
  const startedAt = Date.now();
  // As the event log writes them (EVENTS.md): a created event per kubbi, 100 kubbis taking turns.
  for (let written = 0; written < EVENTS; written += APPEND_BATCH) {
    const batch = redis.client.pipeline();
    for (let i = written; i < Math.min(EVENTS, written + APPEND_BATCH); i++)
      batch.xadd(stream, "*", "t", "kubbi.created", "k", `kubbi_${i % 100}`, "at", Date.now(), "n", 0, "m", 1);
    await batch.exec();
  }
  const waited = await receiver.catchUp(eventsWritten(redis, api.keys.webhook), 120_000);
  const cpu = processCpuSeconds(api.pid) - cpuBefore;
  const { delivered, requests } = receiver.counts();
  process.stdout.write(
    `${delivered} of ${EVENTS} events delivered (${requests} requests) in ${waited.toFixed(1)} s: ` +
      `${Math.round(delivered / ((Date.now() - startedAt) / 1000))} a second, ` +
      `${Math.round((cpu * 1e6) / delivered)} µs of API CPU per delivery\n`,
  );
} finally {
  await api.stop();
  await receiver.stop();
  await redis.stop();
}
if (flags.profile) {
  const text = `profile of webhook-drain (${profileFile})\n${formatProfileSummary(summariseProfile(profileFile))}`;
  writeFileSync(`${profilesDir}/webhook-drain.txt`, `${text}\n`);
  process.stdout.write(`${text}\n`);
}
