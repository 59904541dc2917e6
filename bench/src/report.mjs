// @ts-check
/** Turns runs into medians with their spread, ratios to the baselines, the targets, and a markdown table. */

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Two runs of one scenario on this machine differ by a few percent: within that, "no slower". */
const STORED_KEY_NOISE_BOUND = 0.95;

/** Issue 12: events and a webhook endpoint must not make the hot path expensive. */
const WEBHOOK_BOUND = 0.9;
/** Each webhook scenario and the same scenario on a key without an endpoint. */
const WEBHOOK_PAIRS = [
  ["create-1kb-webhook", "create-1kb", "create 1 KB"],
  ["burn-cycle-webhook", "burn-cycle", "burn cycle"],
];

/** A run during which other processes used more than this much CPU was starved, and is marked so. */
const CONTENDED_CORES = 0.25;

/** One scenario's runs reduced to what the table shows; the runs themselves stay in the JSON. */
export function summarise(scenario, runs) {
  const perCycle = scenario.requestsPerCycle ?? 1;
  const rps = runs.map((run) => run.requestsPerSecond);
  const cpu = (name) => median(runs.map((run) => run.cpuCores[name]));
  return {
    id: scenario.id,
    title: scenario.title,
    server: scenario.server,
    connections: scenario.connections,
    requestsPerCycle: perCycle,
    payloadBytesPerCycle: scenario.payloadBytesPerCycle ?? null,
    requestsPerSecond: { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
    payloadMBps: scenario.payloadBytesPerCycle
      ? (median(rps) / perCycle) * (scenario.payloadBytesPerCycle / 1e6)
      : null,
    // CPU per request survives a starved machine better than req/s: a run slowed by other load
    // serves fewer requests but each still costs the server what it costs.
    serverCpuMicrosPerRequest: median(runs.map((run) => (run.cpuCores.server * run.wallSeconds * 1e6) / run.requests)),
    latencyMs: { p50: median(runs.map((run) => run.latency.p50)), p99: median(runs.map((run) => run.latency.p99)) },
    cpuCores: { server: cpu("server"), redis: cpu("redis"), loadGenerator: cpu("loadGenerator"), other: cpu("other") },
    contendedRuns: runs.filter((run) => run.cpuCores.other > CONTENDED_CORES).length,
    failures: runs.reduce((sum, run) => sum + run.errors + run.timeouts + run.non2xx, 0),
    webhooks: runs[0]?.webhooks ? webhookTotals(runs) : null,
    runs,
  };
}

/** A webhook scenario's events and deliveries, summed over its measured runs. */
function webhookTotals(runs) {
  const sum = (name) => runs.reduce((total, run) => total + run.webhooks[name], 0);
  const deliveredWhileCatchingUp = sum("deliveredWithCatchUp") - sum("deliveredDuringRun");
  return {
    events: sum("events"),
    deliveredDuringRun: sum("deliveredDuringRun"),
    deliveredWithCatchUp: sum("deliveredWithCatchUp"),
    requests: sum("requests"),
    catchUpSecondsMax: Math.max(...runs.map((run) => run.webhooks.catchUpSeconds)),
    serverCpuMicrosPerDelivery: deliveredWhileCatchingUp
      ? (sum("catchUpServerCpuSeconds") * 1e6) / deliveredWhileCatchingUp
      : Number.NaN,
    // Under saturation the worker delivers little during the run; what the run's requests cost once every
    // event is delivered (the run's CPU plus the catching up) is what a steady load would pay.
    serverCpuMicrosPerRequestWithDeliveries: median(
      runs.map(
        (run) => ((run.cpuCores.server * run.wallSeconds + run.webhooks.catchUpServerCpuSeconds) * 1e6) / run.requests,
      ),
    ),
  };
}

/** Ratios of every API scenario to the claim baselines (and of the package to the transfer baseline). */
export function withRatios(summaries) {
  const byId = Object.fromEntries(summaries.map((summary) => [summary.id, summary]));
  const floor = byId["floor-claim"];
  const limit = byId["limit-claim"];
  const transfer = byId.transfer;
  return summaries.map((summary) => {
    if (summary.server !== "api") return { ...summary, ratios: null };
    const per = (value, base) => (base === undefined ? Number.NaN : value / base);
    const ratios =
      summary.payloadMBps !== null
        ? { transferMBps: per(summary.payloadMBps, transfer?.payloadMBps ?? undefined) }
        : {
            floorRps: per(summary.requestsPerSecond.median, floor?.requestsPerSecond.median),
            floorP99: per(summary.latencyMs.p99, floor?.latencyMs.p99),
            limitRps: per(summary.requestsPerSecond.median, limit?.requestsPerSecond.median),
            // Requests one core could serve, relative to the floor's: floor CPU per request / ours.
            floorCapacity: per(floor?.serverCpuMicrosPerRequest ?? Number.NaN, summary.serverCpuMicrosPerRequest),
          };
    return { ...summary, ratios };
  });
}

/** The issue's targets, each with the measured value and whether it is met. */
export function evaluateTargets(summaries, memory) {
  const byId = Object.fromEntries(summaries.map((summary) => [summary.id, summary]));
  const targets = [];
  const add = (name, value, bound, atMost) =>
    targets.push({ name, value, bound, atMost, met: atMost ? value <= bound : value >= bound });
  const ratio = (id, key) => byId[id]?.ratios?.[key] ?? Number.NaN;
  if (byId["claim-1kb"]) {
    add("claim 1 KB req/s vs floor", ratio("claim-1kb", "floorRps"), 0.85, false);
    add("claim 1 KB p99 vs floor p99", ratio("claim-1kb", "floorP99"), 1.5, true);
  }
  if (byId.inspect) {
    add("inspect req/s vs floor", ratio("inspect", "floorRps"), 0.85, false);
    add("inspect p99 vs floor p99", ratio("inspect", "floorP99"), 1.5, true);
  }
  if (byId["create-1kb"]) {
    add("create 1 KB req/s vs floor", ratio("create-1kb", "floorRps"), 0.6, false);
    add("create 1 KB p99 vs floor p99", ratio("create-1kb", "floorP99"), 1.5, true);
  }
  if (byId["burn-cycle"]) {
    add("burn cycle req/s vs floor", ratio("burn-cycle", "floorRps"), 0.7, false);
    add("burn cycle p99 vs floor p99", ratio("burn-cycle", "floorP99"), 1.5, true);
  }
  if (byId["create-1kb"] && byId["create-1kb-stored-key"]) {
    // "No slower within noise": the stored-key lookup is cached, so its creates should match the environment key's.
    add(
      "create 1 KB req/s, stored key vs environment key",
      byId["create-1kb-stored-key"].requestsPerSecond.median / byId["create-1kb"].requestsPerSecond.median,
      STORED_KEY_NOISE_BOUND,
      false,
    );
  }
  for (const [withEndpoint, without, name] of WEBHOOK_PAIRS) {
    const [on, off] = [byId[withEndpoint], byId[without]];
    if (!on || !off) continue;
    add(
      `${name} req/s, key with a webhook endpoint vs none`,
      on.requestsPerSecond.median / off.requestsPerSecond.median,
      WEBHOOK_BOUND,
      false,
    );
    // Requests a core could serve while also delivering every event, relative to none: CPU per request, inverted.
    add(
      `${name} capacity with every event delivered vs none`,
      off.serverCpuMicrosPerRequest / (on.webhooks?.serverCpuMicrosPerRequestWithDeliveries ?? Number.NaN),
      WEBHOOK_BOUND,
      false,
    );
  }
  if (byId["package-5x1mib"])
    add("package MB/s vs transfer baseline", ratio("package-5x1mib", "transferMBps"), 0.5, false);
  if (byId["list-small"] && byId["list-large"]) {
    // A page's cost is the server time it takes: at saturation, the inverse of requests/s.
    add(
      "list page cost, large key vs small key",
      byId["list-small"].requestsPerSecond.median / byId["list-large"].requestsPerSecond.median,
      1.5,
      true,
    );
  }
  if (memory?.redis) add("Redis bytes per stored 1 KB kubbi", memory.redis.redisBytesPerKubbi, 2.5 * 1024, true);
  if (memory?.rss)
    add("peak server RSS vs in-flight payload bytes", memory.rss.peakRss / memory.rss.inFlightPayloadBytes, 6, true);
  return targets;
}

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en") : "–");

export function markdown({ summaries, targets, memory, machine, mode }) {
  const lines = [];
  lines.push(
    `kubbi bench (${mode}) — ${machine.date}, ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, redis ${machine.redis}${machine.redisPersistence ? ` (${machine.redisPersistence})` : ""}`,
  );
  lines.push("");
  lines.push(
    "| scenario | conns | req/s median (min–max) | MB/s | p50 ms | p99 ms | × floor req/s | × floor p99 | × limit req/s | × transfer MB/s | server CPU µs/req | × floor capacity | CPU cores: server / redis / loadgen / other |",
  );
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const summary of summaries) {
    const { requestsPerSecond: rps, latencyMs, cpuCores: cpu, ratios } = summary;
    lines.push(
      `| ${summary.title}${summary.failures ? ` (**${summary.failures} failed**)` : ""}${summary.contendedRuns ? ` (${summary.contendedRuns}/${summary.runs.length} runs contended)` : ""} | ${summary.connections} | ${thousands(rps.median)} (${thousands(rps.min)}–${thousands(rps.max)}) | ${summary.payloadMBps === null ? "" : fixed(summary.payloadMBps, 0)} | ${latencyMs.p50} | ${latencyMs.p99} | ${fixed(ratios?.floorRps)} | ${fixed(ratios?.floorP99)} | ${fixed(ratios?.limitRps)} | ${fixed(ratios?.transferMBps)} | ${thousands(summary.serverCpuMicrosPerRequest)} | ${fixed(ratios?.floorCapacity)} | ${fixed(cpu.server)} / ${fixed(cpu.redis)} / ${fixed(cpu.loadGenerator)} / ${fixed(cpu.other)} |`,
    );
  }
  const createFloor = createFloorLine(summaries);
  if (createFloor) lines.push("", createFloor);
  const withWebhooks = summaries.filter((summary) => summary.webhooks);
  if (withWebhooks.length) lines.push("");
  for (const { title, webhooks } of withWebhooks) {
    const rate = webhooks.events ? webhooks.deliveredWithCatchUp / webhooks.events : Number.NaN;
    lines.push(
      `Webhooks, ${title}: the API wrote ${thousands(webhooks.events)} events in the measured runs; the receiver got ${thousands(webhooks.deliveredDuringRun)} during the runs and ${thousands(webhooks.deliveredWithCatchUp)} (${fixed(rate * 100, 1)} %) once caught up (at most ${fixed(webhooks.catchUpSecondsMax, 1)} s after a run), in ${thousands(webhooks.requests)} requests. Delivering while catching up cost the API ${thousands(webhooks.serverCpuMicrosPerDelivery)} µs of CPU per delivery: ${thousands(webhooks.serverCpuMicrosPerRequestWithDeliveries)} µs per request with its events delivered.`,
    );
  }
  if (memory?.redis) {
    lines.push("");
    const parts = Object.entries(memory.redis.bytesByKey ?? {})
      .map(([key, bytes]) => `${key} ${thousands(bytes)}`)
      .join(", ");
    lines.push(
      `Redis: ${thousands(memory.redis.redisBytesPerKubbi)} bytes per stored 1 KB kubbi (used_memory over ${thousands(memory.redis.count)} kubbis); MEMORY USAGE per kubbi: ${parts} (TTL entries not included).`,
    );
  }
  if (memory?.rss) {
    const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    lines.push(
      `Server RSS: peak ${mib(memory.rss.peakRss)} (idle ${mib(memory.rss.idleRss)}) while ${memory.rss.concurrent} package creates of ${mib(memory.rss.payloadBytesPerCreate)} ran at once (${mib(memory.rss.inFlightPayloadBytes)} in flight).`,
    );
  }
  if (targets.length) {
    lines.push("");
    lines.push("| target | measured | bound | met |");
    lines.push("| --- | ---: | ---: | --- |");
    for (const target of targets)
      lines.push(
        `| ${target.name} | ${fixed(target.value)} | ${target.atMost ? "≤" : "≥"} ${target.bound} | ${target.met ? "yes" : "**no**"} |`,
      );
  }
  return lines.join("\n");
}

/**
 * The create floor next to the claim floor: what Express and the API's own create script cost on the create's
 * very body, so the create's distance from the claim floor splits into the framework's share and ours. The
 * burn cycle is one create and one claim: its floor is the mean of the two floors' CPU per request.
 */
function createFloorLine(summaries) {
  const byId = Object.fromEntries(summaries.map((summary) => [summary.id, summary]));
  const [createFloor, claimFloor] = [byId["floor-create"], byId["floor-claim"]];
  if (!createFloor || !claimFloor) return undefined;
  const rps = (summary) => summary.requestsPerSecond.median;
  const cpu = (summary) => summary.serverCpuMicrosPerRequest;
  const parts = [
    `Create floor (Express 5, express.json() on the same 1 KB body, the API's create script): ${thousands(rps(createFloor))} req/s, ${thousands(cpu(createFloor))} µs/req, ${fixed(rps(createFloor) / rps(claimFloor))} × the claim floor's req/s and ${fixed(cpu(claimFloor) / cpu(createFloor))} × its capacity.`,
  ];
  const create = byId["create-1kb"];
  if (create)
    parts.push(
      `Create 1 KB against it: ${fixed(rps(create) / rps(createFloor))} × req/s, ${fixed(cpu(createFloor) / cpu(create))} × capacity.`,
    );
  const burn = byId["burn-cycle"];
  if (burn)
    parts.push(
      `Burn cycle against the mean of the two floors: ${fixed((cpu(createFloor) + cpu(claimFloor)) / 2 / cpu(burn))} × capacity.`,
    );
  return parts.join(" ");
}

/** Re-renders a results file (after a change to this report) without running anything. */
export function rerender(results) {
  const summaries = withRatios(results.scenarios.map((scenario) => summarise(scenario, scenario.runs)));
  const targets = evaluateTargets(summaries, results.memory);
  return {
    ...results,
    targets,
    scenarios: summaries,
    table: markdown({
      summaries,
      targets,
      memory: results.memory,
      machine: results.machine,
      mode: results.config.mode,
    }),
  };
}
