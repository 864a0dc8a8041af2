/**
 * The app's route map as the auth layer sees it: where sign-in lives, and what is protected.
 *
 * @module
 */

/** Paths that need a signed-in user: each one and everything below it. */
export const PROTECTED_PATHS = ["/dashboard", "/api"];

/** Routes that manage their own cookies: never guarded (a sign-in loop otherwise), never a
 * `returnTo` target. The organization switch opens the session itself, since it must spend
 * the refresh token the guard would otherwise refresh. */
export const AUTH_ROUTES = [
  "/sign-in",
  "/sign-up",
  "/sign-out",
  "/auth/callback",
  "/auth/switch-organization",
  "/auth/access-token", // resolves (and refreshes) the session itself, answers JSON
  "/auth/sessions/revoke", // resolves the session itself; a form post, never a page to return to
];

/** WorkOS's signed event deliveries: authenticated by signature, never by a session. */
export const WEBHOOK_ROUTE = "/webhooks/workos";

/** Routes the guard never resolves a session for: the auth routes, the webhook, the probe. */
const UNGUARDED_ROUTES = [...AUTH_ROUTES, WEBHOOK_ROUTE, "/healthz"];

/**
 * Whether the guard should skip `pathname`: exactly one of `UNGUARDED_ROUTES`. No prefix match,
 * so nothing like `/sign-in/..%2Fdashboard` can borrow the exemption.
 */
export function isUnguardedRoute(pathname: string): boolean {
  return UNGUARDED_ROUTES.some((route) => pathname === route || pathname === `${route}/`);
}

/** Whether `pathname` is an auth route or below one: never a place to return to after sign-in. */
export function isWithinAuthRoute(pathname: string): boolean {
  return AUTH_ROUTES.some((route) => pathname === route || pathname.startsWith(`${route}/`));
}

/**
 * Whether `pathname` needs a session. Percent-decoded, case-folded and with slashes collapsed
 * first, so no spelling of `/dashboard` that a router might accept slips past the guard.
 */
export function isProtectedPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return true; // undecodable: protect rather than guess
  }
  const path = decoded.toLowerCase().replace(/\/{2,}/g, "/");
  return PROTECTED_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
