/**
 * The integration's options, with their defaults applied in one place. They reach runtime code
 * (middleware, routes, components, the start-up check) through one generated module
 * (`options-module.ts`, read back by `installed-options.ts`).
 *
 * @module
 */
import { type AuthRoutes, resolveRoutes, type RouteOptions } from "../core/routes.ts";

/** Everything `authkit()` accepts; all optional. */
export interface AuthKitOptions extends RouteOptions {
  /** Resolve the user's organizations for `Astro.locals` and the switch route (default true). */
  organizations?: boolean;
  /** The health probe's path, or `false` for none (default `/healthz`). */
  healthPath?: string | false;
  /**
   * A module of the app exporting `onSignIn` and/or `onSignOut` (S70), as a path relative to the
   * project's root, e.g. `"./src/auth-hooks.ts"`. Options reach runtime code as JSON, so the
   * functions travel as a module, bundled by Vite like the app's own code (`hooks-module.ts`).
   */
  hooks?: string;
}

/** The options as runtime code sees them: plain JSON, every default applied. */
export interface ResolvedOptions {
  routes: RouteOptions;
  organizations: boolean;
  healthPath: string | null;
}

/**
 * Checks `options` once, when `astro.config.mjs` is loaded: a bad path stops `astro dev` and
 * `astro build` with every problem named, instead of a route that never matches.
 */
export function resolveOptions(
  options: AuthKitOptions = {},
): ResolvedOptions & { paths: AuthRoutes; hooks?: string } {
  const problems: string[] = [];
  const { organizations = true, healthPath = "/healthz", hooks, ...routes } = options;
  if (
    hooks !== undefined && (typeof hooks !== "string" || !/^\.{1,2}\/.+\.[mc]?[jt]s$/.test(hooks))
  ) {
    problems.push(
      `hooks must be a relative path to a .ts or .js module, like "./src/auth-hooks.ts": ` +
        `received ${JSON.stringify(hooks)}`,
    );
  }
  const paths = resolveRoutes(routes, problems);
  if (healthPath !== false && !/^\/[A-Za-z0-9\-._~/]*$/.test(healthPath)) {
    problems.push(
      `healthPath must be a plain absolute path or false: received ${JSON.stringify(healthPath)}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`authkit(): invalid options:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  // `hooks` is for the build (`hooks-module.ts`), never part of the runtime options' JSON.
  return { routes, organizations, healthPath: healthPath || null, paths, ...(hooks && { hooks }) };
}
