/**
 * What the guard decides from a request's path, once per request: the path Astro routes, and
 * whether it is an auth route (never guarded), protected, or an API path. Each decision holds
 * for every reading of the path that `routes.ts` and `request-path.ts` define (S62).
 *
 * Why two ways to the same answer: almost every request spells its path plainly (lower-case
 * letters, digits, `-`, `_`, `~`, dots inside segments, single slashes), and for such a path every
 * reading is the path itself: nothing to decode, no dot segment, no double slash, nothing to fold.
 * Those skip the decoding loops, which were most of the guard's cost per request
 * (`deno task bench:middleware`). Everything else takes the general reading. A property test
 * (`path_policy_test.ts`) holds the two to the same answers.
 *
 * @module
 */
import { routedPathname } from "./request-path.ts";
import {
  type AuthRoutes,
  isApiPath,
  isProtectedPath,
  isProtectedRoutePattern,
  isUnguardedRoute,
  underPrefix,
} from "./routes.ts";

/**
 * What Astro resolved for the request, as the middleware sees it: `context.url.pathname` (the
 * path it routes, decoded and with slashes collapsed) and `context.routePattern` (the route it
 * chose, `/dashboard/[id]`). Either one under a protected prefix makes the request protected.
 */
export interface ResolvedRoute {
  pathname?: string;
  routePattern?: string;
}

/** The guard's reading of a request's path. */
export interface PathPolicy {
  /** The path Astro routes (`routedPathname`). */
  routed: string;
  /** Exactly an auth route or the webhook: the guard steps aside. */
  unguarded: boolean;
  /** Needs a session under some reading of the path, or by the route Astro resolved. */
  protected: boolean;
  /** Under an API prefix under some reading: bearer credentials are read, answers are statuses. */
  api: boolean;
}

/** Segments of characters no reading changes, none starting with a dot; a trailing `/` allowed. */
const PLAIN_PATH = /^(?:\/[a-z0-9_~-][a-z0-9._~-]*)*\/?$/;

/**
 * The guard's reading of `pathname` (the request's raw one) and of what Astro resolved; null when
 * Astro would refuse the path as encoded too deeply (it answers 400 before any middleware).
 */
export function pathPolicy(
  pathname: string,
  route: ResolvedRoute,
  routes: AuthRoutes,
): PathPolicy | null {
  const plain = PLAIN_PATH.test(pathname) &&
    (route.pathname === undefined || route.pathname === pathname);
  return plain ? plainPolicy(pathname, route, routes) : generalPolicy(pathname, route, routes);
}

/** A plain path is its own routed, strict and case-folded reading. */
function plainPolicy(pathname: string, route: ResolvedRoute, routes: AuthRoutes): PathPolicy {
  return {
    routed: pathname,
    unguarded: isUnguardedRoute(pathname, routes),
    protected: underPrefix(pathname, routes.protected) || patternIsProtected(route, routes),
    api: underPrefix(pathname, routes.api),
  };
}

/** Every reading of the raw path and of Astro's, each decided on its own. */
export function generalPolicy(
  pathname: string,
  route: ResolvedRoute,
  routes: AuthRoutes,
): PathPolicy | null {
  const routed = routedPathname(pathname);
  if (routed === null) return null;
  const astros = route.pathname;
  return {
    routed,
    unguarded: isUnguardedRoute(routed, routes),
    protected: isProtectedPath(pathname, routes) ||
      (astros !== undefined && isProtectedPath(astros, routes)) ||
      patternIsProtected(route, routes),
    api: isApiPath(pathname, routes) || isApiPath(routed, routes) ||
      (astros !== undefined && isApiPath(astros, routes)),
  };
}

function patternIsProtected({ routePattern }: ResolvedRoute, routes: AuthRoutes): boolean {
  return routePattern !== undefined && isProtectedRoutePattern(routePattern, routes);
}
