import { fileURLToPath } from "node:url";
import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";

const ADAPTER_SERVER = "@deno/astro-adapter/src/server.ts";
const STARTUP_MODULE = fileURLToPath(new URL("./src/startup.ts", import.meta.url));
const SHUTDOWN_MODULE = fileURLToPath(new URL("./src/shutdown.ts", import.meta.url));

/**
 * Two additions to the adapter's server module, for which the adapter has no hook:
 * - `src/startup.ts` first: the adapter loads middleware lazily, on the first request, so
 *   importing the configuration check here makes a bad secret stop the process at start;
 * - `src/shutdown.ts` last, handed the module's own `stop()`: the adapter installs no signal
 *   handler, and Deno Deploy sends SIGINT, then SIGKILL 5 s later.
 */
function extendAdapterServer() {
  return {
    name: "extend-adapter-server",
    apply: "build",
    transform(code, id) {
      if (!id.includes(ADAPTER_SERVER)) return null;
      // Fail the build rather than ship a server that ignores signals after an adapter update.
      if (!/export\s+async\s+function\s+stop\s*\(/.test(code)) {
        throw new Error("@deno/astro-adapter's server no longer exports `stop()`");
      }
      const startup = `import ${JSON.stringify(STARTUP_MODULE)};`;
      const shutdown = `import { drainOnShutdown } from ${JSON.stringify(SHUTDOWN_MODULE)};`;
      return { code: `${startup}\n${code}\n${shutdown}\ndrainOnShutdown(stop);\n`, map: null };
    },
  };
}

export default defineConfig({
  output: "server",
  // Host and port are fixed at build time by the adapter; override at run time with
  // DENO_SERVE_ADDRESS=tcp:HOST:PORT (read by Deno.serve itself).
  adapter: deno({ port: 8085, hostname: "0.0.0.0" }),
  vite: { plugins: [extendAdapterServer()] },
});
