// @ts-check
/**
 * Where one request's CPU goes, by what the code does: a .cpuprofile's samples, each given to the first
 * bucket whose frame is on its stack (innermost first), the rest to "HTTP, Express and the event loop".
 * `node src/profile-buckets.mjs profiles/create-1kb.cpuprofile [µs per request]` prints each bucket's share
 * (and its µs when the request's CPU is given), so a gap to the floor can be named part by part.
 */
import { readFileSync } from "node:fs";

/** Buckets, each a pattern over "function url" of a frame (the API's dist path or a package), innermost first. */
const BUCKETS = [
  ["garbage collection", /^\(garbage collector\) /],
  ["Redis client and store (ioredis, scripts, replies)", /ioredis|\/store\//],
  ["sealing (HKDF, AES-GCM) and token hashing", /\/crypto\//],
  ["request body: reading and JSON.parse", /http\/(json-body|body-reader)/],
  ["validation (zod)", /zod|\/validation\//],
  ["API key and rate limit", /auth\/|http\/(producer-auth|rate-limit)/],
  ["log line and metrics", /pino|sonic-boom|metrics\/|prom-client|^logFinished /],
  ["response: JSON and its write", /http\/send-json|services\/views/],
];
const OTHER = "HTTP, Express and the event loop";

const [file, microsArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file ?? "", "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const time = new Map();
let total = 0;
profile.samples.forEach((sample, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  if (nodes.get(sample).callFrame.functionName === "(idle)") return;
  total += delta;
  let bucket = OTHER;
  for (let id = sample; id !== undefined && bucket === OTHER; id = parent.get(id)) {
    const { functionName, url } = nodes.get(id).callFrame;
    const frame = `${functionName} ${url}`;
    bucket = BUCKETS.find(([, pattern]) => pattern.test(frame))?.[0] ?? OTHER;
  }
  time.set(bucket, (time.get(bucket) ?? 0) + delta);
});
const micros = microsArg ? Number(microsArg) : undefined;
for (const [bucket, spent] of [...time].sort((a, b) => b[1] - a[1])) {
  const share = spent / total;
  const perRequest = micros === undefined ? "" : ` ${(share * micros).toFixed(0).padStart(5)} µs`;
  console.log(`${(100 * share).toFixed(1).padStart(5)} %${perRequest}  ${bucket}`);
}
