/**
 * Imported last by the built server (see `astro/adapter.ts`) and handed the adapter's `stop()`:
 * drains in-flight requests on SIGINT (Deno Deploy, Ctrl+C) and SIGTERM (process managers), then
 * exits 0. The adapter exports `stop()` but installs no handler, so without this a signal cuts
 * requests mid-flight (exit 130/143).
 *
 * @module
 */

/**
 * How long in-flight requests may take after a stop signal. Deno Deploy sends SIGINT and then
 * SIGKILL 5 s later; exiting first lets the log say why a request was cut.
 */
export const SHUTDOWN_DEADLINE_MS = 4_000;

/** Calls `stop()` on the first SIGINT or SIGTERM and exits 0 once it resolves. */
export function drainOnShutdown(
  stop: () => Promise<void>,
  deadlineMs: number = SHUTDOWN_DEADLINE_MS,
): void {
  let stopping = false;
  const onSignal = (signal: Deno.Signal) => {
    if (stopping) Deno.exit(1); // a second signal (Ctrl+C twice): stop waiting
    stopping = true;
    log("info", "shutdown", signal);
    const deadline = setTimeout(() => {
      log("error", "shutdown_timeout", signal);
      Deno.exit(1);
    }, deadlineMs);
    stop().then(() => {
      clearTimeout(deadline);
      Deno.exit(0);
    }, () => {
      log("error", "shutdown_failed", signal);
      Deno.exit(1);
    });
  };
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  // Windows has no SIGTERM listener; the production runtime is Linux.
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
}

function log(level: "info" | "error", event: string, signal: Deno.Signal): void {
  console.error(JSON.stringify({ time: new Date().toISOString(), level, event, signal }));
}
