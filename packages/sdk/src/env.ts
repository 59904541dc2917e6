/** Reads an environment variable where the runtime has one (Node, Bun, Deno with --allow-env); workers have none. */
export function readEnv(name: string): string | undefined {
  const runtime = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  try {
    const value = runtime.process?.env?.[name] ?? runtime.Deno?.env?.get(name);
    return value ? value : undefined;
  } catch {
    // Deno without --allow-env throws: treat it as unset.
    return undefined;
  }
}
