import { fileURLToPath } from "node:url";
import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";

const ADAPTER_SERVER = "@deno/astro-adapter/src/server.ts";
const STARTUP_MODULE = fileURLToPath(
  new URL("./packages/authkit-astro-deno/src/server/startup.ts", import.meta.url),
);
const SHUTDOWN_MODULE = fileURLToPath(
  new URL("./packages/authkit-astro-deno/src/server/shutdown.ts", import.meta.url),
);
const SERVE_MODULE = fileURLToPath(
  new URL("./packages/authkit-astro-deno/src/server/serve.ts", import.meta.url),
);
/**
 * The adapter's listen code (0.6.0, as transpiled, whitespace aside) that the hook replaces; the
 * build fails if it changes.
 */
const ADAPTER_LISTEN =
  /const port = options\.port \?\? 8085;\s*const hostname = options\.hostname \?\? "0\.0\.0\.0";\s*_server = Deno\.serve\(\{\s*port,\s*hostname\s*\},\s*handler\);/;

/**
 * Three changes to the adapter's server module, for which the adapter has no hook:
 * - `src/startup.ts` first: the adapter loads middleware lazily, on the first request, so
 *   importing the configuration check here makes a bad secret stop the process at start;
 * - its listen code reads `PORT`/`HOST` at run time (`resolveListenAddress`; the adapter fixes
 *   them at build time, and `DENO_SERVE_ADDRESS` still wins) and refuses an oversized `Cookie`
 *   header before Astro runs (`refuseOversizedCookies`), both in `src/serve.ts`;
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
      if (!ADAPTER_LISTEN.test(code)) {
        throw new Error(
          "@deno/astro-adapter's server no longer listens as astro.config.mjs expects",
        );
      }
      const listen = `const { port, hostname } = resolveListenAddress(Deno.env.toObject(), {
    port: options.port ?? 8085,
    hostname: options.hostname ?? "0.0.0.0",
  });
  _server = Deno.serve({ port, hostname }, refuseOversizedCookies(handler));`;
      const startup = `import ${JSON.stringify(STARTUP_MODULE)};`;
      const serve = `import { refuseOversizedCookies, resolveListenAddress } from ${
        JSON.stringify(SERVE_MODULE)
      };`;
      const shutdown = `import { drainOnShutdown } from ${JSON.stringify(SHUTDOWN_MODULE)};`;
      const server = code.replace(ADAPTER_LISTEN, listen);
      return {
        code: `${startup}\n${serve}\n${server}\n${shutdown}\ndrainOnShutdown(stop);\n`,
        map: null,
      };
    },
  };
}

export default defineConfig({
  output: "server",
  // The defaults; at run time PORT and HOST override them (`src/serve.ts`), and
  // DENO_SERVE_ADDRESS=tcp:HOST:PORT (read by Deno.serve itself) overrides everything.
  adapter: deno({ port: 8085, hostname: "0.0.0.0" }),
  vite: { plugins: [extendAdapterServer()] },
});
