import type { APIRoute } from "astro";

/**
 * The signed-in user as JSON. The middleware answers 401 JSON before this runs when signed out
 * or when a bearer token does not verify. A bearer request (`Authorization: Bearer`) gets what
 * its token says, and the profile when this server remembers it from the user's cookie session.
 */
export const GET: APIRoute = ({ locals }) => {
  if (!locals.auth) return Response.json({ error: "unauthorized" }, { status: 401 });
  const { user, sessionId, organizationId, organizationName, role, permissions, impersonator } =
    locals.auth;
  const common = {
    userId: user.id,
    sessionId,
    organizationId,
    organizationName,
    role,
    permissions,
  };
  if (locals.auth.credential === "bearer") {
    const profile = locals.auth.profileKnown ? user : null;
    return Response.json({ credential: "bearer", ...common, impersonator, profile });
  }
  return Response.json({ credential: "cookie", user, ...common, impersonator });
};
