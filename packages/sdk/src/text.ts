/** Numbers as people read and type them: sizes shown by the CLI, the claim page and the admin tool, and counts given as flags. */

const UNITS = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
] as const;

/** "10 MiB", "1.5 KiB", "1000 B". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}

/** "10485760", "10MiB", "10 MiB", "512KiB", "1GiB" → bytes; undefined when it is none of these. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS.find(([name]) => name.toLowerCase() === match[2]?.toLowerCase());
  const bytes = Number(match[1]) * (unit?.[1] ?? 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** "20" → 20; undefined for anything but digits naming a safe integer of at least 1 ("0", "1.5", "-3", "2e3", " 4"). */
export function parsePositiveInt(text: string): number | undefined {
  const value = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
