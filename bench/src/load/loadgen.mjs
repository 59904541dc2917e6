// @ts-check
/**
 * The load generator, run as its own process so its CPU never counts against the server's: reads
 * one spec as JSON on stdin, prints {"event":"start"} when load begins and then one result line.
 */
import autocannon from "autocannon";

/** @returns {Promise<any>} */
async function readSpec() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * One key per create in flight: a create takes a key no other connection holds and gives it back with
 * its response (autocannon keeps no per-connection state across cycles, only within one). With as many
 * keys as connections a free key is always there; one lost to a failed request is replaced round-robin.
 */
function keyPerCreateInFlight(apiKeys) {
  const free = [...apiKeys];
  let spare = 0;
  return {
    take: (request, context) => {
      context.apiKey = free.pop() ?? apiKeys[spare++ % apiKeys.length];
      return { ...request, headers: { ...request.headers, authorization: `Bearer ${context.apiKey}` } };
    },
    giveBack: (context) => {
      if (context.apiKey && !free.includes(context.apiKey)) free.push(context.apiKey);
    },
  };
}

/** The request sequence each connection repeats. */
function requestsOf(workload) {
  if (workload.kind === "fixed") {
    return [{ method: workload.method, path: workload.path, headers: workload.headers, body: workload.body }];
  }
  if (workload.kind === "create-then-claim") {
    const keys = workload.distinctApiKeys ? keyPerCreateInFlight(workload.distinctApiKeys) : undefined;
    return [
      {
        method: "POST",
        path: workload.createPath,
        headers: workload.headers,
        body: workload.body,
        ...(keys ? { setupRequest: keys.take } : {}),
        onResponse: (status, body, context) => {
          keys?.giveBack(context);
          context.claimPath = status === 201 ? `${new URL(JSON.parse(body).claim_url).pathname}/claim` : undefined;
        },
      },
      // A failed create leaves no claim path: the claim then asks for a token that cannot exist and counts as a non-2xx.
      {
        method: "POST",
        setupRequest: (request, context) => ({
          ...request,
          path: context.claimPath ?? "/r/no-such-token/claim",
          headers: {},
          body: undefined,
        }),
      },
    ];
  }
  throw new Error(`unknown workload ${workload.kind}`);
}

const spec = await readSpec();
const options = {
  url: spec.url,
  connections: spec.connections,
  pipelining: 1,
  timeout: 30,
  requests: requestsOf(spec.workload),
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSeconds }),
};
process.stdout.write(`${JSON.stringify({ event: "start" })}\n`);
const cpuBefore = process.cpuUsage();
const startedAt = process.hrtime.bigint();
const result = await autocannon(options);
const wallSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    event: "result",
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    requests: result.requests.total,
    durationSeconds: result.duration,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    bytesRead: result.throughput.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: result.statusCodeStats,
  })}\n`,
);
