/**
 * `requireRecentAuth`: step-up for a page, an API route or a form post that needs a recent
 * sign-in (S59). A stolen cookie can read what the session can read; with this, it cannot also
 * change settings unless its sign-in is recent, which a thief cannot refresh on their own
 * (`auth_time` survives token refreshes).
 *
 * ```astro
 * ---
 * const refused = requireRecentAuth(Astro, { maxAge: 300 });
 * if (refused) return refused;
 * ---
 * ```
 *
 * @module
 */
import { AuthError, renderErrorPage } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { jsonResponse, redirect } from "../core/responses.ts";
import { safeReturnTo } from "../core/return-to.ts";
import { type AuthRoutes, DEFAULT_ROUTES } from "../core/routes.ts";
import { wantsHtml } from "../middleware/guard.ts";
import { isMaxAge, isRecent } from "../session/recent-auth.ts";

/** What the helper reads of Astro's `APIContext` or `Astro` global. */
export interface RecentAuthContext {
  request: Request;
  url: URL;
  /** An API key (no `authTime`) is never a recent sign-in. */
  locals: { auth?: { authTime?: number | null } | null };
}

/** How recent the sign-in must be. */
export interface RecentAuthOptions {
  /** Seconds since the user last authenticated (`auth_time`), 0 to a year. */
  maxAge: number;
  /** The clock, for tests. */
  now?: () => number;
  /** The app's routes (`@authkit-deno/astro/server` passes the integration's). */
  routes?: AuthRoutes;
}

/** Methods that only read: a stale session is sent through sign-in and back, nothing lost. */
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * Null when the request's session signed in within `maxAge` seconds; otherwise the answer that
 * refuses it, before anything is done: a page (GET) is redirected to sign-in with `maxAge` (sent
 * to AuthKit as `max_age`) and `returnTo` the page; an API route gets 403 JSON
 * `{"error":"recent_auth_required"}` (401 when signed out); a form post gets a 403 page whose
 * "Sign in again" link comes back to the page. Throws `TypeError` for an invalid `maxAge`.
 */
export function requireRecentAuth(
  context: RecentAuthContext,
  options: RecentAuthOptions,
): Response | null {
  const { maxAge } = options;
  if (!isMaxAge(maxAge)) {
    throw new TypeError(`Invalid maxAge "${maxAge}": seconds from 0 to a year`);
  }
  const auth = context.locals.auth ?? null;
  const now = (options.now ?? Date.now)();
  if (auth && isRecent(auth.authTime ?? null, maxAge, now)) return null;

  const { request, url } = context;
  const signInHref = stepUpSignInUrl(url, maxAge, options.routes);
  if (!wantsHtml(request, url.pathname, options.routes)) {
    const response = auth
      ? jsonResponse(403, { error: "recent_auth_required", maxAge })
      : jsonResponse(401, { error: "unauthorized" });
    response.headers.set("cache-control", "no-store");
    return response;
  }
  if (SAFE_METHODS.has(request.method)) return redirect(signInHref, []);
  // A form post: refused whole. Re-running it after a redirect would need its body, which a
  // redirect cannot carry; the user signs in and submits again.
  const requestId = createRequestId();
  logAuthFailure(new AuthError("recent_auth_required"), url.pathname, requestId);
  return renderErrorPage("recent_auth_required", requestId, { signInHref });
}

/** `/sign-in?returnTo=<this page>&maxAge=<seconds>`. */
export function stepUpSignInUrl(
  url: URL,
  maxAge: number,
  routes: AuthRoutes = DEFAULT_ROUTES,
): string {
  const returnTo = safeReturnTo(url.pathname + url.search, routes);
  return `${routes.signIn}?${new URLSearchParams({ returnTo, maxAge: String(maxAge) })}`;
}
