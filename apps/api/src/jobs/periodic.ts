/**
 * Runs pass every intervalMs, one pass at a time (a tick that finds the last one still running is
 * skipped); a failed pass goes to onError and the next tick retries. The timer never holds the process
 * open. Returns the stop function: no pass starts after it, and it resolves once the pass under way ends.
 */
export function startPeriodic(
  intervalMs: number,
  pass: () => Promise<void>,
  onError: (error: Error) => void,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= pass()
      .catch(onError)
      .finally(() => (running = undefined));
  }, intervalMs).unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
