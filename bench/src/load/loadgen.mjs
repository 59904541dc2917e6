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

/** The request sequence each connection repeats. */
function requestsOf(workload) {
  if (workload.kind === "fixed") {
    return [{ method: workload.method, path: workload.path, headers: workload.headers, body: workload.body }];
  }
  if (workload.kind === "create-then-claim") {
    return [
      {
        method: "POST",
        path: workload.createPath,
        headers: workload.headers,
        body: workload.body,
        onResponse: (status, body, context) => {
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
