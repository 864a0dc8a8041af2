/**
 * `GET /user_management/sessions/logout`: ends the session, then sends the browser back to the
 * app, but only to an origin the app registered (no open redirect).
 *
 * @module
 */
import { jsonResponse, redirectResponse } from "./http.ts";
import { endSession, type StandInState } from "./state.ts";
import { isRegisteredOrigin } from "../../core/redirect-origins.ts";

/** Ends `session_id` and redirects to a registered `return_to`. */
export function handleLogout(standIn: StandInState, request: Request): Response {
  const params = new URL(request.url).searchParams;
  const sessionId = params.get("session_id");
  if (!sessionId) return jsonResponse(400, { message: '"session_id" is required.' });
  // AuthKit's own session ends too: the next sign-in authenticates afresh (`auth_time`).
  const userId = standIn.sessions.get(sessionId)?.userId;
  if (userId !== undefined) standIn.lastAuthentications.delete(userId);
  // An unknown or already-ended session still redirects: signing out twice is not an error.
  endSession(standIn, sessionId);
  return redirectResponse(resolveReturnTo(standIn.redirectUris, params.get("return_to")));
}

/**
 * `returnTo` when it is an absolute http(s) URL on a registered origin (a wildcard one included,
 * as WorkOS matches them), else the first registered origin's root.
 */
export function resolveReturnTo(redirectUris: readonly string[], returnTo: string | null): string {
  const url = URL.parse(returnTo ?? "");
  const isAllowed = url !== null && (url.protocol === "http:" || url.protocol === "https:") &&
    isRegisteredOrigin(redirectUris, url.origin);
  return isAllowed ? url.href : `${new URL(redirectUris[0]).origin}/`;
}
