/**
 * A user's sessions: the list API, the revoke API (`userManagement.revokeSession`) and the admin
 * page's "Revoke" button, which stands in for the WorkOS dashboard.
 *
 * @module
 */
import { jsonResponse } from "./http.ts";
import { renderSessionsPage } from "./page.ts";
import { findMembership } from "./seed.ts";
import { endSession, type Session, type StandInState } from "./state.ts";

/** `GET /user_management/users/{id}/sessions` (v7.62's `listSessions`). */
export const USER_SESSIONS_PATH = /^\/user_management\/users\/([^/]+)\/sessions$/;
/** WorkOS's default page size, and its largest. */
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

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

/**
 * Lists a user's sessions, active and ended (`revoked`), in WorkOS's list shape: `limit` (1–100,
 * default 10) and `order` (`desc`, the default, or `asc`) by `created_at`; one page, no cursors.
 */
export function handleListUserSessions(standIn: StandInState, request: Request): Response {
  if (request.headers.get("authorization") !== `Bearer ${standIn.apiKey}`) {
    return jsonResponse(401, { message: "Unauthorized" });
  }
  const url = new URL(request.url);
  const userId = decodeSafely(url.pathname.match(USER_SESSIONS_PATH)![1]);
  if (!standIn.users.has(userId)) {
    return jsonResponse(404, { code: "entity_not_found", message: `User not found: '${userId}'.` });
  }
  const limit = Number(url.searchParams.get("limit") ?? DEFAULT_LIMIT);
  const order = url.searchParams.get("order") ?? "desc";
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !/^(asc|desc)$/.test(order)) {
    return jsonResponse(422, {
      code: "invalid_request_parameters",
      message: "Invalid limit or order.",
    });
  }
  const sessions = [...standIn.sessions.values(), ...standIn.endedSessions]
    .filter((session) => session.userId === userId)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  if (order === "desc") sessions.reverse();
  const data = sessions.slice(0, limit).map((session) => sessionResponse(standIn, session));
  return jsonResponse(200, { object: "list", data, list_metadata: { before: null, after: null } });
}

function sessionResponse(standIn: StandInState, session: Session): Record<string, unknown> {
  const expiresAt = Date.parse(session.createdAt) + SESSION_LIFETIME_MS;
  return {
    object: "session",
    id: session.id,
    user_id: session.userId,
    ip_address: session.ipAddress ?? null,
    user_agent: session.userAgent ?? null,
    organization_id: findMembership(standIn.seed, session.userId, session.organizationId)
      ?.organization.id ?? null,
    // WorkOS reports the method in snake_case (`password`, `impersonation`, `google_oauth`…).
    auth_method: session.authenticationMethod.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase(),
    status: session.endedAt ? "revoked" : expiresAt <= standIn.now() ? "expired" : "active",
    expires_at: new Date(expiresAt).toISOString(),
    ended_at: session.endedAt ?? null,
    created_at: session.createdAt,
    updated_at: session.endedAt ?? session.createdAt,
  };
}

/** How long a stand-in session lasts, as reported (refresh tokens do not expire here). */
const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/** `decodeURIComponent`, or the input itself when it is not valid percent-encoding. */
function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
