/**
 * The server extension for `@deno/astro-adapter` (0.6.0), as a Vite plugin the integration adds
 * to builds that use that adapter. Four changes to the adapter's server module, for which the
 * adapter has no hook:
 * - `server/startup.ts` first: the adapter loads middleware lazily, on the first request, so
 *   importing the configuration check here makes a bad secret stop the process at start;
 * - its listen code reads `PORT`/`HOST` at run time (`resolveListenAddress`; the adapter fixes
 *   them at build time, and `DENO_SERVE_ADDRESS` still wins) and refuses an oversized `Cookie`
 *   header before Astro runs (`refuseOversizedCookies`), both in `server/serve.ts`;
 * - its static-file lookup joins the request path onto `dist/client/` without the extra slash
 *   that made every prerendered page answer 404 at its own URL (`server/static-files.ts`);
 * - `server/shutdown.ts` last, handed the module's own `stop()`: the adapter installs no signal
 *   handler, and Deno Deploy sends SIGINT, then SIGKILL 5 s later.
 *
 * @module
 */
import { packageModulePath } from "./package-files.ts";

/** The adapter this extension knows; any other adapter runs without it. */
export const DENO_ADAPTER = "@deno/astro-adapter";

const ADAPTER_SERVER = "@deno/astro-adapter/src/server.ts";
const moduleFile = (path: string) => JSON.stringify(packageModulePath(path, import.meta.url));
/**
 * The adapter's listen code (0.6.0, as transpiled, whitespace aside) that the extension
 * replaces; the build fails if it changes.
 */
const ADAPTER_LISTEN =
  /const port = options\.port \?\? 8085;\s*const hostname = options\.hostname \?\? "0\.0\.0\.0";\s*_server = Deno\.serve\(\{\s*port,\s*hostname\s*\},\s*handler\);/;

/** The adapter's (0.6.0) join of a request path onto the client folder; see `static-files.ts`. */
const ADAPTER_STATIC_PATH =
  /new URL\(\s*"\.\/"\s*\+\s*app\.removeBase\(url\.pathname\),\s*clientRoot\s*\)/;
const STATIC_PATH = "clientFileUrl(app.removeBase(url.pathname), clientRoot)";

const LISTEN = `const { port, hostname } = resolveListenAddress(Deno.env.toObject(), {
    port: options.port ?? 8085,
    hostname: options.hostname ?? "0.0.0.0",
  });
  _server = Deno.serve({ port, hostname }, refuseOversizedCookies(handler));`;

/** The Vite plugin that rewrites the adapter's server module at build time. */
export function extendAdapterServer() {
  return {
    name: "authkit-deno:extend-adapter-server",
    apply: "build" as const,
    transform(code: string, id: string) {
      if (!id.includes(ADAPTER_SERVER)) return null;
      return { code: extendServerModule(code), map: null };
    },
  };
}

/** The adapter's server module with the four changes; throws if the module's shape changed. */
export function extendServerModule(code: string): string {
  // Fail the build rather than ship a server that ignores signals after an adapter update.
  if (!/export\s+async\s+function\s+stop\s*\(/.test(code)) {
    throw new Error(`${DENO_ADAPTER}'s server no longer exports \`stop()\``);
  }
  if (!ADAPTER_LISTEN.test(code)) {
    throw new Error(
      `${DENO_ADAPTER}'s server no longer listens as the authkit integration expects`,
    );
  }
  if (!ADAPTER_STATIC_PATH.test(code)) {
    throw new Error(
      `${DENO_ADAPTER}'s server no longer looks up static files as the authkit integration expects`,
    );
  }
  return [
    `import ${moduleFile("../server/startup.ts")};`,
    `import { clientFileUrl } from ${moduleFile("../server/static-files.ts")};`,
    `import { refuseOversizedCookies, resolveListenAddress } from ${
      moduleFile("../server/serve.ts")
    };`,
    code.replace(ADAPTER_LISTEN, LISTEN).replace(ADAPTER_STATIC_PATH, STATIC_PATH),
    `import { drainOnShutdown } from ${moduleFile("../server/shutdown.ts")};`,
    "drainOnShutdown(stop);",
    "",
  ].join("\n");
}
