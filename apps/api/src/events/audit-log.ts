import { createWriteStream } from "node:fs";
import { eventJson } from "./codec.js";
import type { EventSink } from "./types.js";

export interface AuditLog {
  sink: EventSink;
  close(): Promise<void>;
}

/**
 * KUBBI_AUDIT_LOG: every event this process writes, as one line of the Event JSON, for the operator's
 * log pipeline: "stdout", or a file path appended to. The Event JSON carries no secret (events/codec.ts).
 */
export function openAuditLog(target: string, onError: (error: Error) => void): AuditLog {
  if (target === "stdout") {
    return {
      sink: (events) => {
        for (const event of events) process.stdout.write(`${JSON.stringify(eventJson(event))}\n`);
      },
      close: async () => {},
    };
  }
  const file = createWriteStream(target, { flags: "a", mode: 0o640 });
  file.on("error", onError);
  return {
    sink: (events) => {
      for (const event of events) file.write(`${JSON.stringify(eventJson(event))}\n`);
    },
    close: () => new Promise((resolve) => file.end(resolve)),
  };
}
