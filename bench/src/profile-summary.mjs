// @ts-check
/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by where the code lives
 * (our API, a dependency, node itself, the garbage collector). Also a CLI: node profile-summary.mjs FILE.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function whereOf(url) {
  if (!url) return "(native/V8)";
  if (url.startsWith("node:")) return "node core";
  const dependency = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (dependency) return dependency[1];
  const api = url.match(/apps\/api\/dist\/(.+)$/);
  return api ? `api ${api[1]}` : url;
}

export function summariseProfile(path, top = 25) {
  const profile = JSON.parse(readFileSync(path, "utf8"));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  /** The first caller with a script location: who a native function (a socket write, a hash) works for. */
  const callerOf = (id) => {
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      const { url, functionName, lineNumber } = nodes.get(at).callFrame;
      if (url && !url.startsWith("node:")) return `${functionName || "(anonymous)"} ${whereOf(url)}:${lineNumber + 1}`;
    }
    return "(no script caller)";
  };
  const selfMicros = new Map();
  profile.samples.forEach((id, index) =>
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
  );
  const byFunction = new Map();
  const byPlace = new Map();
  const nativeByCaller = new Map();
  let busy = 0;
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    if (functionName === "(idle)") continue;
    busy += micros;
    const name = `${functionName || "(anonymous)"} ${url ? `${whereOf(url)}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    if (!url || url.startsWith("node:")) {
      const key = `${functionName || "(anonymous)"} <- ${callerOf(id)}`;
      nativeByCaller.set(key, (nativeByCaller.get(key) ?? 0) + micros);
    }
    const place = url ? whereOf(url) : functionName;
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, percent: (100 * micros) / busy }));
  return {
    busyMs: busy / 1000,
    functions: rank(byFunction),
    places: rank(byPlace),
    nodeAndNativeByCaller: rank(nativeByCaller),
  };
}

export function formatProfileSummary(summary) {
  const rows = (list) => list.map(({ name, percent }) => `  ${percent.toFixed(1).padStart(5)}%  ${name}`).join("\n");
  return `busy CPU ${summary.busyMs.toFixed(0)} ms\nself time by place:\n${rows(summary.places)}\nself time by function:\n${rows(summary.functions)}\nnode core and native self time by the first caller outside node core:\n${rows(summary.nodeAndNativeByCaller)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) console.log(`${file}\n${formatProfileSummary(summariseProfile(file))}\n`);
}
