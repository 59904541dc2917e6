// @ts-check
/**
 * Preloaded with NODE_OPTIONS="--import <this file>" (node 20 refuses --cpu-prof there): records a
 * V8 CPU profile of the whole process and writes it to BENCH_CPU_PROFILE when the process exits.
 * A same-thread inspector session answers synchronously, so the 'exit' handler can still save it.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(target, JSON.stringify(result.profile));
    });
  });
}
