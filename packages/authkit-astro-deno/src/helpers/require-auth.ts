/**
 * Checks for each page, endpoint and action, with the same answers the guard gives: a browser is
 * sent to sign in and comes back, an API client gets 401; a signed-in user without what the
 * check asks gets 403.
 *
 * @module
 */
import { AuthError, renderErrorPage } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { jsonResponse, withHeaders } from "../core/responses.ts";
import type { AuthRoutes } from "../core/routes.ts";
import { wantsHtml } from "../middleware/guard.ts";
import type { SignedInContext } from "../organizations/memberships.ts";
import type { AccessCheck } from "../session/access.ts";
import type { ApiKeyContext } from "../api-keys/context.ts";

/** What the helpers read of Astro's `APIContext` (or `Astro` in a page). */
export interface AuthRequestContext {
  request: Request;
  /** A user, an organization API key (API routes only), or no one. */
  locals: { auth: SignedInContext | ApiKeyContext | null };
}

/** Options of `createSignInPath`: where to come back, and AuthKit's two sign-in hints. */
export interface SignInPathOptions {
  /** A path on this site to land on after sign-in (checked again by the sign-in route). */
  returnTo?: string;
  /** Sign straight into this organization (`org_…`). */
  organizationId?: string;
  /** Prefill the email field. */
  loginHint?: string;
  /** AuthKit's sign-up screen instead of sign-in. */
  screenHint?: "sign-in" | "sign-up";
  /**
   * A string for the app's `onSignIn` hook (at most 1 KB), carried through AuthKit in the sealed
   * sign-in cookie (S70). Data, never proof: anyone can put anything on a link.
   */
  state?: string;
}

/**
 * The app's own sign-in route with its query: a link, not AuthKit's URL, because only the route
 * can bind the flow to this browser (its `state` cookie and PKCE verifier).
 */
export function createSignInPath(routes: AuthRoutes, options: SignInPathOptions = {}): string {
  const params = new URLSearchParams();
  if (options.returnTo) params.set("returnTo", options.returnTo);
  if (options.organizationId) params.set("organizationId", options.organizationId);
  if (options.loginHint) params.set("loginHint", options.loginHint);
  if (options.state) params.set("state", options.state);
  const path = options.screenHint === "sign-up" ? routes.signUp : routes.signIn;
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * The signed-in user, or the `Response` to return instead: a 302 to sign in that comes back to
 * this URL for a browser, a 401 JSON for an API path or a client that does not ask for HTML.
 * With a `check` (the keys of `has()`), a signed-in user for whom it does not hold gets 403: a
 * small page for a browser, `{"error":"forbidden"}` for an API client. An empty or misspelt
 * check holds for nobody, as with `has()`.
 */
export function requireAuthWith(
  context: AuthRequestContext,
  routes: AuthRoutes,
  check?: AccessCheck,
): SignedInContext | Response {
  // An API key is not a user: a route written for users answers it as it answers no one (S68).
  return decide(context, userOf(context.locals.auth), routes, check);
}

/**
 * `requireAuthWith`, accepting an organization API key as well as a user: for API routes that
 * serve both (`auth.credential` tells which). A key's `has()` knows only its permissions.
 */
export function requireAuthOrApiKeyWith(
  context: AuthRequestContext,
  routes: AuthRoutes,
  check?: AccessCheck,
): SignedInContext | ApiKeyContext | Response {
  return decide(context, context.locals.auth, routes, check);
}

/** The user of `auth`: null for no one and for an API key. */
export function userOf(auth: SignedInContext | ApiKeyContext | null | undefined) {
  return auth && auth.credential !== "api_key" ? auth : null;
}

function decide<T extends SignedInContext | ApiKeyContext>(
  context: AuthRequestContext,
  auth: T | null,
  routes: AuthRoutes,
  check: AccessCheck | undefined,
): T | Response {
  if (auth && (check === undefined || auth.has(check))) return auth;
  const url = new URL(context.request.url);
  const html = wantsHtml(context.request, url.pathname, routes);
  let response: Response;
  if (auth) {
    const requestId = createRequestId();
    logAuthFailure(new AuthError("forbidden"), url.pathname, requestId);
    response = html ? renderErrorPage("forbidden", requestId) : jsonResponse(403, FORBIDDEN);
  } else if (!html) {
    response = jsonResponse(401, { error: "unauthorized" });
  } else {
    const location = createSignInPath(routes, { returnTo: url.pathname + url.search });
    response = new Response(null, { status: 302, headers: { location } });
  }
  // Each answer depends on the request's cookie: no shared cache may keep it (S49).
  return withHeaders(response, [], true);
}

const FORBIDDEN = { error: "forbidden" } as const;

/** Why an Astro action may not run for this request, as `ActionError` codes; null when it may. */
export type ActionRefusal = "UNAUTHORIZED" | "FORBIDDEN";

/**
 * The decision behind `requireActionAuth`: `UNAUTHORIZED` signed out, `FORBIDDEN` when `check`
 * does not hold (an empty or misspelt check holds for nobody), else null.
 */
export function actionRefusal(
  auth: SignedInContext | ApiKeyContext | null | undefined,
  check?: AccessCheck,
): ActionRefusal | null {
  // Actions serve users; a key never reaches one (pages and forms read no bearer), and would not
  // pass here either.
  if (!auth || auth.credential === "api_key") return "UNAUTHORIZED";
  return check === undefined || auth.has(check) ? null : "FORBIDDEN";
}
