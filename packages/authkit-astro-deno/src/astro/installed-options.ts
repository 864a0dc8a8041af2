/**
 * The integration's resolved options as runtime code (middleware, routes, components, the
 * start-up check) reads them: a process-wide value that the integration's generated module,
 * `virtual:authkit-deno/options`, sets before this module's body runs (`options-module.ts`
 * prepends the import when Vite loads this file).
 *
 * Why not `import options from "virtual:authkit-deno/options"` here: that name resolves only
 * inside Vite, so `deno check`, tests and plain `deno run` needed an import map entry, and
 * `deno publish` rewrites import-map entries to their targets, which would have shipped the
 * defaults to JSR users and silently dropped every option passed to `authkit()`.
 *
 * @module
 */
import type { ResolvedOptions } from "./options.ts";

/** `Symbol.for` key of the global the generated module sets. */
export const OPTIONS_GLOBAL = "@authkit-deno/astro/options";

/** What runtime code sees outside Vite (tests, plain `deno run`): `authkit()`'s defaults. */
export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  routes: Object.freeze({}),
  organizations: true,
  healthPath: "/healthz",
});

/** The options the integration installed, else the defaults. */
export function installedOptions(): ResolvedOptions {
  const installed = (globalThis as Record<symbol, unknown>)[Symbol.for(OPTIONS_GLOBAL)];
  return (installed as ResolvedOptions | undefined) ?? DEFAULT_OPTIONS;
}
