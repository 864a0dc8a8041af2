import type { APIRoute } from "astro";

/** The signed-in user as JSON. The middleware answers 401 JSON before this runs when signed out. */
export const GET: APIRoute = ({ locals }) => {
  if (!locals.auth) return Response.json({ error: "unauthorized" }, { status: 401 });
  const { user, organizationId, organizationName, role, permissions, impersonator } = locals.auth;
  return Response.json({ user, organizationId, organizationName, role, permissions, impersonator });
};
