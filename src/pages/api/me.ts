import type { APIRoute } from "astro";
import { requireAuth } from "@authkit-deno/astro/server";

/**
 * The signed-in user as JSON. The route checks for itself (`requireAuth`); the middleware's
 * guard answers 401 JSON before this runs when signed out or when a bearer token does not
 * verify. A bearer request (`Authorization: Bearer`) gets what its token says, and the profile
 * when this server remembers it from the user's cookie session.
 */
export const GET: APIRoute = (context) => {
  const auth = requireAuth(context); // 401 JSON, no-store, when signed out
  if (auth instanceof Response) return auth;
  const { user, sessionId, organizationId, organizationName, role, permissions, impersonator } =
    auth;
  const common = {
    userId: user.id,
    sessionId,
    organizationId,
    organizationName,
    role,
    permissions,
  };
  if (auth.credential === "bearer") {
    const profile = auth.profileKnown ? user : null;
    return Response.json({ credential: "bearer", ...common, impersonator, profile });
  }
  return Response.json({ credential: "cookie", user, ...common, impersonator });
};
