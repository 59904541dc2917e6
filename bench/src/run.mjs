// @ts-check
/**
 * pnpm bench [--smoke] [--runs N] [--seconds S] [--warmup S] [--only id,id] [--profile id] [--report results.json]
 * Starts Redis, the API and the baselines, loads each scenario in rounds, measures memory, and writes
 * bench/results/*.json plus a markdown table. See bench/README.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runLoad } from "./load/run-load.mjs";
import { processCpuSeconds, waitForQuiet } from "./proc.mjs";
import { measurePeakRss } from "./memory.mjs";
import { formatProfileSummary, summariseProfile } from "./profile-summary.mjs";
import { evaluateTargets, markdown, rerender, summarise, withRatios } from "./report.mjs";
import { defineScenarios } from "./scenarios.mjs";
import { createTargets, redisBreakdown, seedBaselineKubbi, seedKubbis } from "./setup.mjs";
import { measureRedisCosts } from "./redis-costs.mjs";
import { createStoredKey, openRedis, startBaseline, startBenchApi } from "./stack.mjs";
import { eventsWritten, setWebhookEndpoint, startWebhookReceiver } from "./webhook-receiver.mjs";

const { values: flags } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    runs: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    only: { type: "string" },
    profile: { type: "string" },
    report: { type: "string" },
  },
});

if (flags.report) {
  const { table, ...results } = rerender(JSON.parse(readFileSync(flags.report, "utf8")));
  writeFileSync(flags.report, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${table}\n`);
  process.exit(0);
}

/** Smoke keeps every code path but shrinks time and sizes, so CI proves the benchmark still runs. */
const SIZES = flags.smoke
  ? {
      mode: "smoke",
      runs: 3,
      runSeconds: 1,
      warmupSeconds: 1,
      quietTimeoutSeconds: 0,
      listSizes: /** @type {[number, number]} */ ([1_000, 10_000]),
      rssRounds: 1,
      webhookCatchUpSeconds: 30,
    }
  : {
      mode: "full",
      runs: 5,
      runSeconds: 8,
      warmupSeconds: 5,
      quietTimeoutSeconds: 3,
      listSizes: /** @type {[number, number]} */ ([1_000, 100_000]),
      rssRounds: 3,
      webhookCatchUpSeconds: 60,
    };
const config = {
  ...SIZES,
  runs: Number(flags.runs ?? SIZES.runs),
  runSeconds: Number(flags.seconds ?? SIZES.runSeconds),
  warmupSeconds: Number(flags.warmup ?? SIZES.warmupSeconds),
};
if (flags.profile) config.runs = 1;

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const resultsDir = `${benchDir}results`;
const profilesDir = `${benchDir}profiles`;
const only = flags.profile ? [flags.profile] : flags.only?.split(",");
const selected = (id) => !only || only.includes(id);
const partial = Boolean(only);

const log = (message) => process.stdout.write(`[bench] ${message}\n`);

function machine(redisVersion, redisPersistence) {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: benchDir, encoding: "utf8" }).trim();
  } catch {
    // not a git checkout: the results still stand, just unattributed
  }
  return {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg(),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: redisVersion,
    redisPersistence: redisPersistence,
    commit,
  };
}

const redis = await openRedis();
/** Under --profile, only the server the profiled scenario loads is profiled (cpu-profiler.mjs preload). */
const BASELINE_OF_SCENARIO = {
  "limit-claim": "limit",
  "floor-claim": "floor",
  "floor-create": "floor",
  transfer: "transfer",
};
const profiledServer = flags.profile ? (BASELINE_OF_SCENARIO[flags.profile] ?? "api") : undefined;
const profileFile = `${profilesDir}/${flags.profile}.cpuprofile`;
if (flags.profile) mkdirSync(profilesDir, { recursive: true });
const profileEnv = (server) =>
  server === profiledServer
    ? {
        NODE_OPTIONS: `--import=${fileURLToPath(new URL("./cpu-profiler.mjs", import.meta.url))}`,
        BENCH_CPU_PROFILE: profileFile,
      }
    : {};

const stopping = [];
// Interrupted (Ctrl-C, a CI timeout): stop every child rather than leave servers behind.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    for (const stop of stopping.reverse()) await stop();
    await redis.stop();
    process.exit(130);
  });
}
let api;
try {
  const info = machine(redis.version, redis.persistence);
  log(
    `${config.mode} run on ${info.cpuModel} (${info.cores} cores), node ${info.node}, redis ${info.redis} (${info.redisPersistence})`,
  );
  api = await startBenchApi(redis.url, profileEnv("api"));
  stopping.push(() => api.stop());
  const baselineKeys = await seedBaselineKubbi(api, redis);
  const baselineEnv = {
    REDIS_URL: redis.url,
    BENCH_META_KEY: baselineKeys.meta,
    BENCH_PAYLOAD_KEY: baselineKeys.payload,
    BENCH_INFO_KEY: baselineKeys.info,
  };
  const servers = { api: { baseUrl: api.baseUrl, pid: api.pid } };
  for (const name of ["limit", "floor", "transfer"]) {
    const baseline = await startBaseline(name, { ...baselineEnv, ...profileEnv(name) });
    stopping.push(() => baseline.stop());
    servers[name] = baseline;
  }
  const targets = await createTargets(api);
  // The production path: a key made with the admin command, looked up in Redis by the API.
  const storedKey = await createStoredKey(redis.url, "bench-stored-key");

  const memory = {};
  const wantsList = selected("list-small") || selected("list-large") || selected("redis-memory");
  if (wantsList) {
    const [small, large] = config.listSizes;
    log(`seeding ${small.toLocaleString("en")} + ${large.toLocaleString("en")} kubbis through the API`);
    await seedKubbis(api, redis, api.keys.listSmall, small);
    const seeded = await seedKubbis(api, redis, api.keys.listLarge, large);
    log(
      `seeded ${large.toLocaleString("en")} in ${seeded.seconds.toFixed(1)} s: ${seeded.redisBytesPerKubbi.toFixed(0)} Redis bytes per kubbi`,
    );
    if (selected("redis-memory")) memory.redis = { ...seeded, bytesByKey: await redisBreakdown(api, redis, large) };
  }

  if (selected("redis-costs")) {
    log("redis costs: commands, Redis CPU and bytes per operation");
    memory.redisCosts = await measureRedisCosts(api, redis);
    log(`redis costs: ${JSON.stringify(memory.redisCosts)}`);
  }

  const scenarios = defineScenarios({ api, storedKey, targets, listSizes: config.listSizes }).filter((scenario) =>
    selected(scenario.id),
  );
  const runs = new Map(scenarios.map((scenario) => [scenario.id, []]));
  const webhooks = scenarios.some((scenario) => scenario.webhook) ? await startWebhookReceiver() : undefined;
  if (webhooks) {
    stopping.push(() => webhooks.stop());
    await setWebhookEndpoint(api.baseUrl, api.keys.webhook, webhooks.url);
  }
  const webhookEvents = eventsWritten(redis, api.keys.webhook);
  const loadOnly = (scenario, seconds) =>
    runLoad(
      {
        url: servers[scenario.server].baseUrl,
        connections: scenario.connections,
        durationSeconds: seconds,
        workload: scenario.workload,
      },
      { serverPid: servers[scenario.server].pid, redisCpuSeconds: redis.cpuSeconds },
    );
  /**
   * A webhook scenario's run, then a wait for its deliveries (bounded): a backlog delivered during the next
   * scenario's run would charge the API's delivery work to that scenario.
   */
  const load = async (scenario, seconds) => {
    if (!webhooks || !scenario.webhook) return loadOnly(scenario, seconds);
    const before = { ...webhooks.counts(), events: await webhookEvents() };
    const result = await loadOnly(scenario, seconds);
    const atEnd = { ...webhooks.counts(), serverCpu: processCpuSeconds(api.pid) };
    const catchUpSeconds = await webhooks.catchUp(webhookEvents, config.webhookCatchUpSeconds * 1000);
    const caughtUp = { ...webhooks.counts(), serverCpu: processCpuSeconds(api.pid) };
    return {
      ...result,
      webhooks: {
        events: (await webhookEvents()) - before.events,
        deliveredDuringRun: atEnd.delivered - before.delivered,
        deliveredWithCatchUp: caughtUp.delivered - before.delivered,
        catchUpSeconds,
        // With no requests to serve, the API's CPU while catching up is what delivering costs it.
        catchUpServerCpuSeconds: caughtUp.serverCpu - atEnd.serverCpu,
        requests: caughtUp.requests - before.requests,
      },
    };
  };
  // Rounds, not one scenario after another: slow drift of the machine then touches every scenario alike.
  for (let round = 0; round < config.runs; round++) {
    for (const scenario of scenarios) {
      if (round === 0) await load(scenario, config.warmupSeconds);
      // Other work on the machine (another build, a test suite) starves a run: wait it out when we can.
      const busyBeforeCores = config.quietTimeoutSeconds
        ? await waitForQuiet({ timeoutMs: config.quietTimeoutSeconds * 1000 })
        : Number.NaN;
      const result = { ...(await load(scenario, config.runSeconds)), busyBeforeCores };
      runs.get(scenario.id).push(result);
      log(
        `round ${round + 1}/${config.runs} ${scenario.id}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, server ${result.cpuCores.server.toFixed(2)} / other ${result.cpuCores.other.toFixed(2)} cores${result.non2xx + result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ""}${result.webhooks ? `, webhooks: ${result.webhooks.deliveredDuringRun} of ${result.webhooks.events} events delivered during the run, ${result.webhooks.deliveredWithCatchUp} after ${result.webhooks.catchUpSeconds.toFixed(1)} s of catching up` : ""}`,
      );
    }
  }

  // Stopping writes the profile: the preload saves it when the process exits.
  for (const stop of stopping.reverse()) await stop();
  stopping.length = 0;
  if (flags.profile) {
    const text = `profile of ${flags.profile} (${profileFile})\n${formatProfileSummary(summariseProfile(profileFile))}`;
    writeFileSync(`${profilesDir}/${flags.profile}.txt`, `${text}\n`);
    log(text);
  }

  if (selected("rss") && !flags.profile) {
    log("peak RSS: fresh API, 8 concurrent 10 MiB package creates");
    memory.rss = await measurePeakRss(redis, config.rssRounds);
  }

  const summaries = withRatios(scenarios.map((scenario) => summarise(scenario, runs.get(scenario.id))));
  const targetResults = evaluateTargets(summaries, memory);
  const table = markdown({ summaries, targets: targetResults, memory, machine: info, mode: config.mode });
  mkdirSync(resultsDir, { recursive: true });
  const name = config.mode === "smoke" ? "smoke.json" : partial ? "partial.json" : "latest.json";
  writeFileSync(
    `${resultsDir}/${name}`,
    `${JSON.stringify({ machine: info, config, memory, targets: targetResults, scenarios: summaries }, null, 2)}\n`,
  );
  process.stdout.write(`\n${table}\n\nresults: bench/results/${name}\n`);

  // Smoke has no thresholds, but every request must have succeeded, and a webhook scenario's endpoint must
  // have received deliveries (how many arrive in time is reported, not asserted): a broken scenario fails CI.
  const undelivered = (summary) => summary.webhooks !== null && !(summary.webhooks.deliveredWithCatchUp > 0);
  const failed = summaries.filter(
    (summary) => summary.failures > 0 || !(summary.requestsPerSecond.median > 0) || undelivered(summary),
  );
  const checks = summaries.length + (memory.redis ? 1 : 0) + (memory.rss ? 1 : 0) + (memory.redisCosts ? 1 : 0);
  for (const summary of failed)
    process.stdout.write(
      `FAILED ${summary.id}: ${summary.failures} failed requests${undelivered(summary) ? ", no webhook delivered" : ""}\n`,
    );
  process.stdout.write(`\n${config.mode}: ${checks - failed.length} passed, ${failed.length} failed\n`);
  process.exitCode = failed.length ? 1 : 0;
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
  if (api?.child?.outputTail) process.stderr.write(`API output (tail):\n${api.child.outputTail()}\n`);
  process.exitCode = 1;
} finally {
  for (const stop of stopping.reverse()) await stop();
  await redis.stop();
}
