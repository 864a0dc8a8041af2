/**
 * WorkOS's list answers, in the wire shape (snake_case), for the fake and the tests that script it.
 *
 * @module
 */
/** JSON response helper, as WorkOS answers (the v6 client only parses `application/json`). */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** WorkOS's list answer for memberships (snake_case, `role: {slug}`). */
export function membershipList(
  userId: string,
  organizations: { id: string; role: string; status: string }[],
): Response {
  return json(200, {
    object: "list",
    data: organizations.map((organization, i) => ({
      object: "organization_membership",
      id: `om_0${i}`,
      user_id: userId,
      organization_id: organization.id,
      role: { slug: organization.role },
      status: organization.status,
      created_at: "2024-01-01T00:00:00.000Z",
      updated_at: "2024-01-01T00:00:00.000Z",
    })),
    list_metadata: { before: null, after: null },
  });
}

/** One session as `GET /user_management/users/:id/sessions` lists it. */
export interface WireSession {
  id: string;
  status?: "active" | "expired" | "revoked";
  createdAt?: string;
  ipAddress?: string | null;
  userAgent?: string | null;
  authMethod?: string;
}

/** WorkOS's list answer for a user's sessions. */
export function sessionList(userId: string, sessions: WireSession[]): Response {
  return json(200, {
    object: "list",
    data: sessions.map((session) => ({
      object: "session",
      id: session.id,
      user_id: userId,
      ip_address: session.ipAddress ?? "203.0.113.7",
      user_agent: session.userAgent ?? "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
      organization_id: "org_01ACME",
      auth_method: session.authMethod ?? "password",
      status: session.status ?? "active",
      expires_at: "2030-01-01T00:00:00.000Z",
      ended_at: null,
      created_at: session.createdAt ?? "2026-01-01T00:00:00.000Z",
      updated_at: session.createdAt ?? "2026-01-01T00:00:00.000Z",
    })),
    list_metadata: { before: null, after: null },
  });
}
