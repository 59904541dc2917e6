/**
 * Development logs for a person at a terminal: one short line per entry instead of JSON, e.g.
 *   18:25:40 INFO  listening on http://127.0.0.1:3000  store=memory mode=development
 * pino serializes (and redacts) first, so this only re-renders a line that is already safe to print.
 */
const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** Fields every line has, shown in the prefix or not at all. */
const PREFIX_FIELDS = new Set(["level", "time", "msg", "service"]);

function formatLogLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const time = new Date(entry.time as number).toTimeString().slice(0, 8);
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([name]) => !PREFIX_FIELDS.has(name))
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return `${time} ${level} ${String(entry.msg ?? "")}${fields.length ? `  ${fields.join(" ")}` : ""}\n`;
}

/** A pino destination that writes formatted lines to stdout synchronously, in order with stderr. */
export const prettyStdout = {
  write(json: string): void {
    process.stdout.write(formatLogLine(json));
  },
};
