/**
 * The responses every auth route and the guard build: redirects, JSON, the generic failure page,
 * and the headers a personalised response must carry. The lowest floor above errors and logs.
 *
 * @module
 */
import { type ErrorPageOptions, renderErrorPage, toAuthError } from "./errors.ts";
import { createRequestId, logAuthFailure } from "./log.ts";

/** A redirect (302 unless told) that no cache may keep, with the given `Set-Cookie` values. */
export function redirect(location: string, cookies: string[], status = 302): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  addVaryCookie(headers); // S49: what it sets and where it goes depend on the request's cookies
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status, headers });
}

/** Logs the failure's code and answers with the generic page for it. */
export function failure(
  error: unknown,
  route: string,
  options: ErrorPageOptions = {},
): Response {
  const authError = toAuthError(error);
  const requestId = createRequestId();
  logAuthFailure(authError, route, requestId);
  return renderErrorPage(authError.code, requestId, options);
}

/** A JSON answer with `status`. */
export function jsonResponse(status: number, body: unknown): Response {
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
export function withHeaders(
  response: Response,
  cookies: readonly string[],
  personal: boolean,
): Response {
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

function addHeaders(headers: Headers, cookies: readonly string[], personal: boolean): void {
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
