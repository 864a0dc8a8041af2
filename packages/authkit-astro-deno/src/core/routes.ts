/**
 * The app's route map as the auth layer sees it: where each auth route lives, where sign-in and
 * sign-out land, and what is protected. The integration's options arrive here once, validated,
 * and travel inside the config (`config.routes`); the defaults are today's paths.
 *
 * @module
 */
import { routedPathname, strictPathname } from "./request-path.ts";

/** The route options of the integration, all optional (see the package README). */
export interface RouteOptions {
  /** Path prefixes that need a signed-in user: each one and everything below it. */
  protectedRoutes?: string[];
  /**
   * Path prefixes of the app's API: a 401 instead of a sign-in redirect, and the only places an
   * `Authorization: Bearer` access token or organization API key is read (default `["/api"]`).
   */
  apiRoutes?: string[];
  signIn?: string;
  signUp?: string;
  callback?: string;
  signOut?: string;
  switchOrganization?: string;
  webhook?: string;
  /** `GET`: the session's access token for this origin's browser code. */
  accessToken?: string;
  /** `POST`: ends some of the user's other sessions. */
  revokeSessions?: string;
  /** `GET`: the session's public state for `$auth` in browser code (same-origin only). */
  authState?: string;
  /** Where the browser lands after sign-out (default `/`). */
  afterSignOutPath?: string;
  /**
   * Where sign-in lands without a usable `returnTo` (default: the first of `protectedRoutes`,
   * else `/`).
   */
  afterSignInPath?: string;
}

/** The resolved route map: every path set, each one checked. */
export interface AuthRoutes {
  readonly protected: readonly string[];
  /** API prefixes: bearer credentials are read here only, and answers are statuses. */
  readonly api: readonly string[];
  readonly signIn: string;
  readonly signUp: string;
  readonly callback: string;
  readonly signOut: string;
  readonly switchOrganization: string;
  readonly webhook: string;
  readonly accessToken: string;
  readonly revokeSessions: string;
  readonly authState: string;
  readonly afterSignOut: string;
  readonly afterSignIn: string;
  /**
   * Routes that manage their own cookies: never guarded (a sign-in loop otherwise), never a
   * `returnTo` target. The organization switch opens the session itself, since it must spend the
   * refresh token the guard would otherwise refresh.
   */
  readonly authPaths: readonly string[];
  /** The auth routes and the webhook (authenticated by signature, never by a session). */
  readonly unguardedPaths: readonly string[];
}

/** Today's paths: an app that passes no options keeps every URL it had. */
const DEFAULT_PATHS = {
  protected: ["/dashboard", "/api"],
  api: ["/api"],
  signIn: "/sign-in",
  signUp: "/sign-up",
  callback: "/auth/callback",
  signOut: "/sign-out",
  switchOrganization: "/auth/switch-organization",
  webhook: "/webhooks/workos",
  accessToken: "/auth/access-token",
  revokeSessions: "/auth/sessions/revoke",
  authState: "/auth/state",
  afterSignOut: "/",
} as const;

/**
 * Applies `options` over the defaults and checks every path, reporting each bad one in
 * `problems`: a plain absolute path (`/x/y`), no query, fragment, dot segment or double slash,
 * since each is compared exactly against request paths.
 */
export function resolveRoutes(options: RouteOptions = {}, problems: string[] = []): AuthRoutes {
  const prefixList = (
    name: "protectedRoutes" | "apiRoutes",
    value: unknown,
    fallback: readonly string[],
  ): readonly string[] => {
    const prefixes = value ?? fallback;
    if (!Array.isArray(prefixes)) {
      problems.push(`${name} must be a list of path prefixes: received ${JSON.stringify(value)}`);
      return Object.freeze([...fallback]);
    }
    for (const prefix of prefixes) {
      if (typeof prefix !== "string" || !isPlainPath(prefix) || prefix === "/") {
        problems.push(`${name} holds a path that is not a plain prefix: ${JSON.stringify(prefix)}`);
      }
    }
    return Object.freeze(
      prefixes.filter((prefix) => typeof prefix === "string")
        .map((prefix) => prefix.toLowerCase().replace(/\/$/, "")),
    );
  };
  const path = (name: keyof RouteOptions, fallback: string): string => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !isPlainPath(value)) {
      problems.push(
        `The ${name} route must be a plain absolute path: received ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return value.length > 1 ? value.replace(/\/$/, "") : value;
  };
  const paths = {
    protected: prefixList("protectedRoutes", options.protectedRoutes, DEFAULT_PATHS.protected),
    api: prefixList("apiRoutes", options.apiRoutes, DEFAULT_PATHS.api),
    signIn: path("signIn", DEFAULT_PATHS.signIn),
    signUp: path("signUp", DEFAULT_PATHS.signUp),
    callback: path("callback", DEFAULT_PATHS.callback),
    signOut: path("signOut", DEFAULT_PATHS.signOut),
    switchOrganization: path("switchOrganization", DEFAULT_PATHS.switchOrganization),
    webhook: path("webhook", DEFAULT_PATHS.webhook),
    accessToken: path("accessToken", DEFAULT_PATHS.accessToken),
    revokeSessions: path("revokeSessions", DEFAULT_PATHS.revokeSessions),
    authState: path("authState", DEFAULT_PATHS.authState),
    afterSignOut: path("afterSignOutPath", DEFAULT_PATHS.afterSignOut),
    afterSignIn: path(
      "afterSignInPath",
      firstLanding(options.protectedRoutes ?? DEFAULT_PATHS.protected),
    ),
  };
  const authPaths = Object.freeze([
    paths.signIn,
    paths.signUp,
    paths.signOut,
    paths.callback,
    paths.switchOrganization,
    // Both resolve the session themselves; neither is a page to return to.
    paths.accessToken,
    paths.revokeSessions,
  ]);
  const unguardedPaths = Object.freeze([...authPaths, paths.webhook]);
  return Object.freeze({ ...paths, authPaths, unguardedPaths });
}

/**
 * Where sign-in lands by default: the first protected prefix, the app's own signed-in area (an
 * app that protects `/account` lands there, not on a `/dashboard` it may not have), else `/`.
 */
function firstLanding(prefixes: unknown): string {
  const first = Array.isArray(prefixes) ? prefixes[0] : undefined;
  if (typeof first !== "string" || !isPlainPath(first) || first === "/") return "/";
  return first.replace(/\/$/, "");
}

/** The routes of an app that passes no options. */
export const DEFAULT_ROUTES: AuthRoutes = resolveRoutes();

function isPlainPath(value: string): boolean {
  return /^\/[A-Za-z0-9\-._~/]*$/.test(value) && !value.includes("//") &&
    !/(^|\/)\.{1,2}(\/|$)/.test(value);
}

/**
 * Whether the guard should skip `pathname`: exactly an auth route or the webhook (authenticated
 * by signature, never by a session). No prefix match, so nothing like `/sign-in/..%2Fdashboard`
 * can borrow the exemption.
 */
export function isUnguardedRoute(pathname: string, routes: AuthRoutes = DEFAULT_ROUTES): boolean {
  const paths = unguardedSet(routes);
  return paths.has(pathname) || (pathname.endsWith("/") && paths.has(pathname.slice(0, -1)));
}

/** Every request asks `isUnguardedRoute`: a set per route map, built on first use, answers it. */
const unguardedSets = new WeakMap<AuthRoutes, ReadonlySet<string>>();

function unguardedSet(routes: AuthRoutes): ReadonlySet<string> {
  let paths = unguardedSets.get(routes);
  if (!paths) unguardedSets.set(routes, paths = new Set(routes.unguardedPaths));
  return paths;
}

/** Whether `pathname` is an auth route or below one: never a place to return to after sign-in. */
export function isWithinAuthRoute(pathname: string, routes: AuthRoutes = DEFAULT_ROUTES): boolean {
  return routes.authPaths.some((route) => pathname === route || pathname.startsWith(`${route}/`));
}

/**
 * Whether `pathname` (a request's raw pathname, or Astro's routed one) needs a session. Read both
 * as Astro's router reads it and more strictly than any router would (every escape decoded, dot
 * segments resolved, case folded: see `request-path.ts`), and protected if either reading is
 * under a protected prefix, so no spelling of `/dashboard` that Astro routes there slips past
 * the guard (S62). What cannot be decoded is protected rather than guessed at.
 */
export function isProtectedPath(pathname: string, routes: AuthRoutes = DEFAULT_ROUTES): boolean {
  const routed = routedPathname(pathname);
  const strict = strictPathname(pathname);
  if (routed === null || strict === null) return true;
  return underPrefix(routed.toLowerCase(), routes.protected) ||
    underPrefix(strict, routes.protected);
}

/**
 * Whether the route Astro resolved (`context.routePattern`, such as `/dashboard/[id]`) lies
 * under a protected prefix: the router's own answer, whatever spelling led to it.
 */
export function isProtectedRoutePattern(
  pattern: string,
  routes: AuthRoutes = DEFAULT_ROUTES,
): boolean {
  return underPrefix(pattern.toLowerCase(), routes.protected);
}

/**
 * Whether `path` is one of `prefixes` or below one. Runs several times per request: it builds no
 * string (`${prefix}/` would be one per prefix, per request).
 */
export function underPrefix(path: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) {
    if (!path.startsWith(prefix)) continue;
    if (path.length === prefix.length || path.charCodeAt(prefix.length) === SLASH) return true;
  }
  return false;
}

const SLASH = 0x2f;

/**
 * Whether `pathname` is under one of the API prefixes (`apiRoutes`), under any spelling a router
 * could take for one (`/%2561pi/me` is `/api/me` to Astro): a status, not a redirect, when signed
 * out, and the only paths where bearer credentials (access tokens, API keys) are read. What
 * cannot be decoded is not an API path: it is protected, and only the cookie counts there.
 */
export function isApiPath(pathname: string, routes: AuthRoutes = DEFAULT_ROUTES): boolean {
  const strict = strictPathname(pathname) ?? pathname;
  return [pathname.toLowerCase(), strict].some((path) => underPrefix(path, routes.api));
}
