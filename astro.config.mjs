import { fileURLToPath } from "node:url";
import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";

const STARTUP_MODULE = fileURLToPath(new URL("./src/startup.ts", import.meta.url));

/**
 * The adapter's server loads middleware lazily, on the first request. Importing `src/startup.ts`
 * from the server entry validates the configuration when the process starts instead.
 */
function validateConfigAtStart() {
  return {
    name: "validate-config-at-start",
    apply: "build",
    transform(code, id) {
      if (!id.includes("@deno/astro-adapter/src/server.ts")) return null;
      return { code: `import ${JSON.stringify(STARTUP_MODULE)};\n${code}`, map: null };
    },
  };
}

/**
 * How long in-flight requests may take after a stop signal. Deno Deploy sends SIGINT and then
 * SIGKILL 5 s later; exiting first lets the log say why a request was cut.
 */
const SHUTDOWN_DEADLINE_MS = 4_000;

/**
 * Drains on SIGINT (Deno Deploy, Ctrl+C) and SIGTERM (process managers, `docker stop`), then exits
 * 0. Without it a signal kills the process mid-request (exit 130/143). The adapter exports `stop()`
 * (close the listener, resolve once every in-flight request is answered) but installs no handler.
 * This function's source is appended to the adapter's server module, where `stop` is in scope, so
 * it must not use anything outside its own body.
 */
function handleShutdownSignals(stop, deadlineMs) {
  let stopping = false;
  const log = (level, event, signal) =>
    console.error(JSON.stringify({ time: new Date().toISOString(), level, event, signal }));
  const onSignal = (signal) => {
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

/** Appends `handleShutdownSignals` to the adapter's server module, which defines `stop()`. */
function drainOnShutdown() {
  return {
    name: "drain-on-shutdown",
    apply: "build",
    transform(code, id) {
      if (!id.includes("@deno/astro-adapter/src/server.ts")) return null;
      // Fail the build rather than ship a server that ignores signals after an adapter update.
      if (!/export\s+async\s+function\s+stop\s*\(/.test(code)) {
        throw new Error("@deno/astro-adapter's server no longer exports `stop()`");
      }
      const call = `(${handleShutdownSignals})(stop, ${SHUTDOWN_DEADLINE_MS});`;
      return { code: `${code}\n${call}\n`, map: null };
    },
  };
}

export default defineConfig({
  output: "server",
  // Host and port are fixed at build time by the adapter; override at run time with
  // DENO_SERVE_ADDRESS=tcp:HOST:PORT (read by Deno.serve itself).
  adapter: deno({ port: 8085, hostname: "0.0.0.0" }),
  vite: { plugins: [validateConfigAtStart(), drainOnShutdown()] },
});
