/**
 * Checks for each page, endpoint and action: the documented default, with the integration's
 * `protectedRoutes` as the net behind them.
 *
 * ```ts
 * import { requireAuth } from "@authkit-deno/astro/server";
 * export const GET: APIRoute = (context) => {
 *   const auth = requireAuth(context, { permission: "reports:read" });
 *   if (auth instanceof Response) return auth; // 302/401 signed out, 403 without the permission
 *   return Response.json({ email: auth.user.email });
 * };
 * ```
 *
 * @module
 */
import { ActionError } from "./astro/action-error.ts";
import { auth } from "./astro/runtime.ts";
import {
  actionRefusal,
  type AuthRequestContext,
  createSignInPath,
  requireAuthOrApiKeyWith,
  requireAuthWith,
  type SignInPathOptions,
  userOf,
} from "./helpers/require-auth.ts";
import type { AccessCheck } from "./session/access.ts";
import {
  type RecentAuthContext,
  type RecentAuthOptions,
  requireRecentAuth as requireRecentAuthWith,
} from "./helpers/recent-auth.ts";
import type { SessionView } from "./handlers/sessions.ts";
import type { SignedInContext } from "./organizations/memberships.ts";
import type { ApiKeyContext } from "./api-keys/context.ts";

export type {
  ApiKeyContext,
  AuthRequestContext,
  RecentAuthContext,
  SessionView,
  SignInPathOptions,
};
export type { ApiKey, ApiKeyOwner } from "./api-keys/validation.ts";
export type { AuthHooks, HookUser, SignInEvent, SignOutEvent } from "./hooks/sign-in-hooks.ts";
export type { AccessCheck } from "./session/access.ts";
export type { OrganizationChoice, SignedInContext } from "./organizations/memberships.ts";

/**
 * The app's sign-in route with `returnTo` and AuthKit's hints, for a link or a redirect. The
 * route itself starts the flow, bound to the browser that follows the link.
 */
export function getSignInUrl(options: SignInPathOptions = {}): string {
  return createSignInPath(auth().config.routes, options);
}

/**
 * The signed-in user, or the `Response` to return: a redirect to sign in (browsers) or a 401 JSON
 * (API paths and clients that do not ask for HTML), as the middleware's guard answers. With a
 * `check` (`{ role | permission | entitlement | featureFlag }`, the keys of `has()`), a user for
 * whom it does not hold gets 403 (a small page, or `{"error":"forbidden"}`); an empty or
 * misspelt check holds for nobody.
 */
export function requireAuth(
  context: AuthRequestContext,
  check?: AccessCheck,
): SignedInContext | Response {
  return requireAuthWith(context, auth().config.routes, check);
}

/**
 * For an Astro action's handler: the signed-in user, or a thrown `ActionError` so the action
 * never runs for the wrong user: `UNAUTHORIZED` (401) signed out, `FORBIDDEN` (403) when `check`
 * does not hold (an empty or misspelt check holds for nobody).
 *
 * ```ts
 * handler: (input, context) => {
 *   const auth = requireActionAuth(context, { permission: "billing:manage" });
 *   …
 * }
 * ```
 */
export function requireActionAuth(
  context: { locals: { auth: SignedInContext | ApiKeyContext | null } },
  check?: AccessCheck,
): SignedInContext {
  const refusal = actionRefusal(context.locals.auth, check);
  if (refusal === null) return userOf(context.locals.auth)!;
  if (!ActionError) throw new Error("requireActionAuth() runs inside Astro actions only");
  const message = refusal === "UNAUTHORIZED"
    ? "Sign in to do this."
    : "Your account may not do this.";
  throw new ActionError({ code: refusal, message });
}

/**
 * For API routes that serve both users and organization API keys (S68): `requireAuth`, but an
 * API key is accepted too; `auth.credential === "api_key"` tells which, and a key has no `user`.
 * With a `check`, a key holds only the permissions it was created with.
 */
export function requireAuthOrApiKey(
  context: AuthRequestContext,
  check?: AccessCheck,
): SignedInContext | ApiKeyContext | Response {
  return requireAuthOrApiKeyWith(context, auth().config.routes, check);
}

/**
 * Step-up: null when the session signed in within `maxAge` seconds, else the `Response` that
 * refuses the request before anything is done: a page is sent through sign-in (AuthKit's
 * `max_age`) and back, an API gets 403 `{"error":"recent_auth_required"}`, a form post a 403 page.
 */
export function requireRecentAuth(
  context: RecentAuthContext,
  options: Omit<RecentAuthOptions, "routes">,
): Response | null {
  return requireRecentAuthWith(context, { ...options, routes: auth().config.routes });
}

/**
 * The user's active sessions at WorkOS (this browser's first, marked `current`), cached for a
 * few seconds and dropped after a revocation; null when WorkOS could not list them.
 */
export function listSessions(user: SignedInContext): Promise<SessionView[] | null> {
  return auth().viewSessions(user);
}
