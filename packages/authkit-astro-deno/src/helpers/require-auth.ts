/**
 * Helpers for server code outside `.astro` pages (API routes, actions, endpoints), with the same
 * answers the guard gives: a browser is sent to sign in and comes back, an API client gets 401.
 *
 * @module
 */
import { jsonResponse } from "../core/responses.ts";
import { type AuthRoutes, isApiPath } from "../core/routes.ts";
import type { SignedInContext } from "../organizations/memberships.ts";

/** What the helpers read of Astro's `APIContext` (or `Astro` in a page). */
export interface AuthRequestContext {
  request: Request;
  locals: { auth: SignedInContext | null };
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
  const path = options.screenHint === "sign-up" ? routes.signUp : routes.signIn;
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * The signed-in user, or the `Response` to return instead: a 302 to sign in that comes back to
 * this URL for a browser, a 401 JSON for an API path or a client that does not ask for HTML.
 */
export function requireAuthWith(
  context: AuthRequestContext,
  routes: AuthRoutes,
): SignedInContext | Response {
  if (context.locals.auth) return context.locals.auth;
  const url = new URL(context.request.url);
  const wantsHtml = !isApiPath(url.pathname) &&
    (context.request.headers.get("accept") ?? "").includes("text/html");
  if (!wantsHtml) {
    const response = jsonResponse(401, { error: "unauthorized" });
    response.headers.set("cache-control", "private, no-store");
    return response;
  }
  const location = createSignInPath(routes, { returnTo: url.pathname + url.search });
  return new Response(null, {
    status: 302,
    headers: { location, "cache-control": "private, no-store" },
  });
}
