/**
 * `GET /auth/state`: the public part of the session (`session/public-auth.ts`) for `$auth` on
 * pages that do not carry `<AuthState />`, prerendered ones first (S66).
 *
 * The middleware has already resolved the session for this request (refreshing it, with the
 * cookie, as for any page), so the answer is exactly what a server-rendered page would show.
 * Like the access-token route, only a page of this origin may read it (a cross-site page would
 * learn who its visitor is), and no cache may keep it.
 *
 * @module
 */
import { AuthError } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { isSameOriginRequest } from "../core/origin.ts";
import { jsonResponse } from "../core/responses.ts";
import type { ApiKeyContext } from "../api-keys/context.ts";
import type { OrganizationChoice, SignedInContext } from "../organizations/memberships.ts";
import { toPublicAuth } from "../session/public-auth.ts";

/** What the route reads: the middleware's view of the request, and the app's origin. */
export interface AuthStateInput {
  auth: SignedInContext | ApiKeyContext | null;
  organizations: readonly OrganizationChoice[] | null;
  appOrigin: string;
}

/** `{ auth }` (null when signed out); cross-site 403. Never cached, varying with the cookie. */
export function handleAuthState(request: Request, input: AuthStateInput): Response {
  let response: Response;
  if (!isSameOriginRequest(request, input.appOrigin)) {
    logAuthFailure(
      new AuthError("origin_rejected"),
      new URL(request.url).pathname,
      createRequestId(),
    );
    response = jsonResponse(403, { error: "forbidden" });
  } else {
    response = jsonResponse(200, { auth: toPublicAuth(input.auth, input.organizations) });
  }
  response.headers.set("cache-control", "private, no-store");
  response.headers.set("vary", "Cookie");
  return response;
}
