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
): ResolvedOptions & { paths: AuthRoutes } {
  const problems: string[] = [];
  const { organizations = true, healthPath = "/healthz", ...routes } = options;
  const paths = resolveRoutes(routes, problems);
  if (healthPath !== false && !/^\/[A-Za-z0-9\-._~/]*$/.test(healthPath)) {
    problems.push(
      `healthPath must be a plain absolute path or false: received ${JSON.stringify(healthPath)}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`authkit(): invalid options:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return { routes, organizations, healthPath: healthPath || null, paths };
}
