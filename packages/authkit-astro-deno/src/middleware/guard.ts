/**
 * The middleware's policy: which paths need a session, and what an unauthenticated request gets.
 *
 * @module
 */
import type { Auth } from "../auth.ts";
import { AuthError, renderErrorPage } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { jsonResponse, withHeaders } from "../core/responses.ts";
import type { Resolution } from "../session/resolve.ts";
import {
  type AuthRoutes,
  isApiPath,
  isProtectedPath,
  isProtectedRoutePattern,
  isUnguardedRoute,
} from "../core/routes.ts";
import { routedPathname } from "../core/request-path.ts";
import { clearSessionCookies, readSessionCookie } from "../session/session-cookie.ts";
import { readBearerCredential } from "../session/bearer.ts";
import { failedClosed, unavailable } from "./answers.ts";
import { guardBearer, type Render } from "./bearer.ts";

/** Browsers navigating want a redirect; `fetch` and API clients want a status they can read. */
export function wantsHtml(request: Request, pathname: string, routes?: AuthRoutes): boolean {
  if (isApiPath(pathname, routes)) return false;
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * What Astro resolved for the request, as the middleware sees it: `context.url.pathname` (the
 * path it routes, decoded and with slashes collapsed) and `context.routePattern` (the route it
 * chose, `/dashboard/[id]`). Either one under a protected prefix makes the request protected.
 */
export interface ResolvedRoute {
  pathname?: string;
  routePattern?: string;
}

/**
 * Resolves the session for `request`, lets `next` render with it, and enforces the policy:
 * protected paths without a session get a redirect (HTML) or a 401 (API). Any exception is
 * "no access" (S35): the guard fails closed. Protection is decided from the path Astro routes,
 * never from one decoding of `request.url` (S62).
 */
export async function guardRequest(
  request: Request,
  auth: Auth,
  next: Render,
  route: ResolvedRoute = {},
): Promise<Response> {
  const url = new URL(request.url);
  const routes = auth.config.routes;
  const routed = routedPathname(url.pathname);
  // Astro answers 400 to a path encoded past its decode limit before any middleware runs; the
  // guard gives the same answer rather than a reading of its own (S62).
  if (routed === null) return withHeaders(new Response(null, { status: 400 }), [], true);
  if (isUnguardedRoute(routed, routes)) return await next(null);

  const isProtected = isProtectedPath(url.pathname, routes) ||
    (route.pathname !== undefined && isProtectedPath(route.pathname, routes)) ||
    (route.routePattern !== undefined && isProtectedRoutePattern(route.routePattern, routes));
  // Only API routes (`apiRoutes`, protected or not) read the header, by the same readings of the
  // path as protection: pages never accept a bearer token or an API key (S68).
  const isApi = isApiPath(url.pathname, routes) || isApiPath(routed, routes) ||
    (route.pathname !== undefined && isApiPath(route.pathname, routes));
  const bearer = isApi ? readBearerCredential(request) : null;
  if (bearer !== null) return await guardBearer(bearer, url.pathname, auth, next);

  const resolution = await resolveSafely(request, auth);
  if (resolution.kind === "signed-in") {
    const response = await next(resolution.auth);
    return withHeaders(response, resolution.setCookies ?? [], true);
  }
  if (resolution.kind === "unavailable") {
    // Transient: keep the cookie (S25); a public page still renders, signed out.
    if (!isProtected) return await next(null);
    // It answers for a session: no shared cache may keep it either (S49).
    return withHeaders(
      unavailable(wantsHtml(request, url.pathname, routes), url.pathname, resolution.error),
      [],
      true,
    );
  }
  // Every chunk the request carried goes (S43), not only the first.
  const clear = resolution.clearCookie
    ? clearSessionCookies(auth.config, readSessionCookie(request, auth.config)?.chunks)
    : [];
  const requestId = resolution.code ? createRequestId() : "";
  if (resolution.code) logAuthFailure(new AuthError(resolution.code), url.pathname, requestId);
  if (resolution.code === "session_too_large") {
    // A refresh produced a session past the chunk bound: its refresh token is spent, so the
    // cookies go, and the page says why instead of looping through sign-in (S43).
    const page = renderErrorPage(resolution.code, requestId, { signInHref: routes.signIn });
    return withHeaders(page, clear, true);
  }
  if (!isProtected) return withHeaders(await next(null), clear, false);
  if (!wantsHtml(request, url.pathname, routes)) {
    return withHeaders(jsonResponse(401, { error: "unauthorized" }), clear, true);
  }
  const returnTo = encodeURIComponent(url.pathname + url.search);
  const redirect = new Response(null, {
    status: 302,
    headers: { location: `${routes.signIn}?returnTo=${returnTo}` },
  });
  return withHeaders(redirect, clear, true);
}

/** `auth.resolveSession`, with anything it throws or rejects with turned into "signed out". */
function resolveSafely(request: Request, auth: Auth): Resolution | Promise<Resolution> {
  try {
    const resolution = auth.resolveSession(request);
    // Only a cache miss is a promise: a hit stays synchronous (see `resolve.ts`).
    return resolution instanceof Promise ? resolution.catch(failedClosed) : resolution;
  } catch (error) {
    return failedClosed(error);
  }
}
