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
import type { AuthHooks } from "../hooks/sign-in-hooks.ts";

/** `Symbol.for` key of the global the generated module sets. */
export const OPTIONS_GLOBAL = "@authkit-deno/astro/options";

/** What runtime code sees outside Vite (tests, plain `deno run`): `authkit()`'s defaults. */
export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  routes: Object.freeze({}),
  organizations: true,
  healthPath: "/healthz",
});

/** `Symbol.for` key of the global `virtual:authkit-deno/hooks` sets (`hooks-module.ts`). */
export const HOOKS_GLOBAL = "@authkit-deno/astro/hooks";

/** The app's hooks module (the `hooks` option), else none. Read when the auth layer is built. */
export function installedHooks(): AuthHooks {
  const installed = (globalThis as Record<symbol, unknown>)[Symbol.for(HOOKS_GLOBAL)];
  return (installed as AuthHooks | undefined) ?? {};
}

/** The options the integration installed, else the defaults. */
export function installedOptions(): ResolvedOptions {
  const installed = (globalThis as Record<symbol, unknown>)[Symbol.for(OPTIONS_GLOBAL)];
  return (installed as ResolvedOptions | undefined) ?? DEFAULT_OPTIONS;
}
