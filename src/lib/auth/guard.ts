/**
 * The middleware's policy: which paths need a session, and what an unauthenticated request gets.
 *
 * @module
 */
import type { Auth } from "./auth.ts";
import { AuthError, renderErrorPage, RETRY_AFTER_SECONDS, toAuthError } from "./errors.ts";
import { createRequestId, logAuthFailure } from "./log.ts";
import type { AuthContext, Resolution } from "./resolve.ts";
import { isProtectedPath, isUnguardedRoute } from "./routes.ts";
import { clearSessionCookies, readSessionCookie } from "./session-cookie.ts";

/** Browsers navigating want a redirect; `fetch` and API clients want a status they can read. */
export function wantsHtml(request: Request, pathname: string): boolean {
  if (pathname === "/api" || pathname.startsWith("/api/")) return false;
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * Resolves the session for `request`, lets `next` render with it, and enforces the policy:
 * protected paths without a session get a redirect (HTML) or a 401 (API). Any exception is
 * "no access" (S35): the guard fails closed.
 */
export async function guardRequest(
  request: Request,
  auth: Auth,
  next: (session: AuthContext | null) => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  if (isUnguardedRoute(url.pathname)) return await next(null);

  const resolution = await resolveSafely(request, auth);
  const isProtected = isProtectedPath(url.pathname);
  if (resolution.kind === "signed-in") {
    const response = await next(resolution.auth);
    return withHeaders(response, resolution.setCookies ?? [], true);
  }
  if (resolution.kind === "unavailable") {
    // Transient: keep the cookie (S25); a public page still renders, signed out.
    if (!isProtected) return await next(null);
    // It answers for a session: no shared cache may keep it either (S49).
    return withHeaders(unavailable(request, url.pathname, resolution.error), [], true);
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
    return withHeaders(renderErrorPage(resolution.code, requestId), clear, true);
  }
  if (!isProtected) return withHeaders(await next(null), clear, false);
  if (!wantsHtml(request, url.pathname)) {
    return withHeaders(jsonResponse(401, { error: "unauthorized" }), clear, true);
  }
  const returnTo = encodeURIComponent(url.pathname + url.search);
  const redirect = new Response(null, {
    status: 302,
    headers: { location: `/sign-in?returnTo=${returnTo}` },
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

function failedClosed(error: unknown): Resolution {
  return { kind: "signed-out", clearCookie: false, code: toAuthError(error).code };
}

function unavailable(request: Request, pathname: string, error: AuthError): Response {
  const requestId = createRequestId();
  logAuthFailure(error, pathname, requestId);
  if (wantsHtml(request, pathname)) {
    // The page, not the upstream call, is what failed here: 503 as for API clients (S25), whatever
    // status the code maps to on the callback (502/504).
    const page = renderErrorPage(error.code, requestId);
    page.headers.set("retry-after", String(error.retryAfterSeconds ?? RETRY_AFTER_SECONDS));
    return new Response(page.body, { status: 503, headers: page.headers });
  }
  const response = jsonResponse(503, { error: "unavailable", code: error.code, requestId });
  response.headers.set("retry-after", String(error.retryAfterSeconds ?? RETRY_AFTER_SECONDS));
  return response;
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Adds `Set-Cookie` values and, for personalised responses, `Cache-Control: private, no-store`
 * and `Vary: Cookie` (S49): the first keeps shared caches from storing the page, the second keeps
 * one that ignores `no-store` from serving it to a request with other cookies.
 */
function withHeaders(response: Response, cookies: string[], personal: boolean): Response {
  if (cookies.length === 0 && !personal) return response;
  try {
    addHeaders(response.headers, cookies, personal);
    return response;
  } catch (error) {
    // Some responses (Astro's redirects, `Response.redirect`) have immutable headers: the first
    // write throws, before anything changed. Only those pay for a copy; copying every signed-in
    // page cost ~15 µs per request (`deno task bench`).
    if (!(error instanceof TypeError)) throw error;
    const copy = new Response(response.body, response);
    addHeaders(copy.headers, cookies, personal);
    return copy;
  }
}

function addHeaders(headers: Headers, cookies: string[], personal: boolean): void {
  if (personal) {
    headers.set("cache-control", "private, no-store");
    addVaryCookie(headers);
  }
  for (const cookie of cookies) headers.append("set-cookie", cookie);
}

/** Adds `Cookie` to `Vary`, keeping what the response already varies on. */
export function addVaryCookie(headers: Headers): void {
  const vary = headers.get("vary");
  if (!vary) headers.set("vary", "Cookie");
  else if (!/(^|,)\s*(cookie|\*)\s*(,|$)/i.test(vary)) headers.set("vary", `${vary}, Cookie`);
}
