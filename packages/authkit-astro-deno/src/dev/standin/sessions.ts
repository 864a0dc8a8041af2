/**
 * Ending sessions from outside the browser: the revoke API (`userManagement.revokeSession`) and
 * the admin page's "Revoke" button, which stands in for the WorkOS dashboard.
 *
 * @module
 */
import { jsonResponse } from "./http.ts";
import { renderSessionsPage } from "./page.ts";
import { endSession, type StandInState } from "./state.ts";

/** `GET /admin/sessions`: the active sessions, each with a "Revoke" button. */
export function handleSessionsPage(standIn: StandInState): Response {
  return renderSessionsPage([...standIn.sessions.values()], standIn.users);
}

/**
 * `POST /user_management/sessions/revoke` (`userManagement.revokeSession`): the API key in the
 * `Authorization` header, `{"session_id"}` in the body. Revoking an ended session succeeds.
 */
export async function handleRevoke(standIn: StandInState, request: Request): Promise<Response> {
  if (request.headers.get("authorization") !== `Bearer ${standIn.apiKey}`) {
    return jsonResponse(401, { message: "Unauthorized" });
  }
  const body = await request.json().catch(() => undefined);
  const sessionId = body?.session_id;
  if (typeof sessionId !== "string" || sessionId === "") {
    return jsonResponse(422, { code: "invalid_request", message: '"session_id" is required.' });
  }
  endSession(standIn, sessionId);
  return jsonResponse(200, { success: true });
}

/** The admin page's "Revoke" button: ends the session, then shows the page again. */
export async function handleAdminRevoke(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  const form = await request.formData().catch(() => undefined);
  const sessionId = form?.get("session_id");
  if (typeof sessionId === "string") endSession(standIn, sessionId);
  return new Response(null, { status: 303, headers: { location: "/admin/sessions" } });
}
