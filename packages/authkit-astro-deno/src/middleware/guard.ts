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
import { type AuthRoutes, isApiPath } from "../core/routes.ts";
import { type PathPolicy, pathPolicy, type ResolvedRoute } from "../core/path-policy.ts";
import { pathnameOf } from "../core/request-path.ts";
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
 * Resolves the session for `request`, lets `next` render with it, and enforces the policy:
 * protected paths without a session get a redirect (HTML) or a 401 (API). Any exception is
 * "no access" (S35): the guard fails closed. Protection is decided from the path Astro routes,
 * never from one decoding of `request.url` (S62).
 */
export function guardRequest(
  request: Request,
  auth: Auth,
  next: Render,
  route: ResolvedRoute = {},
): Promise<Response> {
  const pathname = pathnameOf(request.url);
  const policy = pathPolicy(pathname, route, auth.config.routes);
  // Astro answers 400 to a path encoded past its decode limit before any middleware runs; the
  // guard gives the same answer rather than a reading of its own (S62).
  if (policy === null) {
    return Promise.resolve(withHeaders(new Response(null, { status: 400 }), [], true));
  }
  if (policy.unguarded) return next(null);
  // Only API routes (`apiRoutes`, protected or not) read the header, by the same readings of the
  // path as protection: pages never accept a bearer token or an API key (S68).
  const bearer = policy.api ? readBearerCredential(request) : null;
  if (bearer !== null) return guardBearer(bearer, pathname, auth, next);

  const resolution = resolveSafely(request, auth);
  // A warm cache answers synchronously, and then a signed-in page view waits on nothing of the
  // guard's: no promise between the lookup and the render (`deno task bench:middleware`).
  if (resolution instanceof Promise) {
    return resolution.then((settled) => enforce(settled, request, pathname, policy, auth, next));
  }
  return enforce(resolution, request, pathname, policy, auth, next);
}

/** What `refuse` needs of the request besides its session. */
interface Guarded {
  request: Request;
  pathname: string;
  isProtected: boolean;
}

/** Renders a signed-in request as personal (S49), and everything else by the policy. */
function enforce(
  resolution: Resolution,
  request: Request,
  pathname: string,
  policy: PathPolicy,
  auth: Auth,
  next: Render,
): Promise<Response> {
  if (resolution.kind !== "signed-in") {
    return refuse(resolution, { request, pathname, isProtected: policy.protected }, auth, next);
  }
  const setCookies = resolution.setCookies ?? NO_COOKIES;
  return next(resolution.auth).then((response) => withHeaders(response, setCookies, true));
}

/** A warm page view sets no cookie: one empty list for all of them. */
const NO_COOKIES: readonly string[] = Object.freeze([]);

/** A request without a usable session: a public page renders signed out; a protected one not. */
async function refuse(
  resolution: Exclude<Resolution, { kind: "signed-in" }>,
  { request, pathname, isProtected }: Guarded,
  auth: Auth,
  next: Render,
): Promise<Response> {
  const routes = auth.config.routes;
  if (resolution.kind === "unavailable") {
    // Transient: keep the cookie (S25); a public page still renders, signed out.
    if (!isProtected) return await next(null);
    // It answers for a session: no shared cache may keep it either (S49).
    return withHeaders(
      unavailable(wantsHtml(request, pathname, routes), pathname, resolution.error),
      [],
      true,
    );
  }
  // Every chunk the request carried goes (S43), not only the first.
  const clear = resolution.clearCookie
    ? clearSessionCookies(auth.config, readSessionCookie(request, auth.config)?.chunks)
    : [];
  const requestId = resolution.code ? createRequestId() : "";
  if (resolution.code) logAuthFailure(new AuthError(resolution.code), pathname, requestId);
  if (resolution.code === "session_too_large") {
    // A refresh produced a session past the chunk bound: its refresh token is spent, so the
    // cookies go, and the page says why instead of looping through sign-in (S43).
    const page = renderErrorPage(resolution.code, requestId, { signInHref: routes.signIn });
    return withHeaders(page, clear, true);
  }
  if (!isProtected) return withHeaders(await next(null), clear, false);
  if (!wantsHtml(request, pathname, routes)) {
    return withHeaders(jsonResponse(401, { error: "unauthorized" }), clear, true);
  }
  const returnTo = encodeURIComponent(pathname + new URL(request.url).search);
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
