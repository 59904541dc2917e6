/**
 * Runs pass every intervalMs, one pass at a time (a tick that finds the last one still running is
 * skipped); a failed pass goes to onError and the next tick retries. The timer never holds the process
 * open. Returns the stop function.
 */
export function startPeriodic(
  intervalMs: number,
  pass: () => Promise<void>,
  onError: (error: Error) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs).unref();
  return () => clearInterval(timer);
}
