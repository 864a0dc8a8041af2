import type { APIRoute } from "astro";
import { requireAuthOrApiKey } from "@authkit-deno/astro/server";

/**
 * Who is calling, as JSON. The route checks for itself (`requireAuthOrApiKey`: a user or an
 * organization API key); the middleware's guard answers 401 JSON before this runs when signed
 * out, when a bearer token does not verify, or when an API key is unknown or deleted. A bearer
 * request (`Authorization: Bearer <access token>`) gets what its token says, and the profile when
 * this server remembers it from the user's cookie session. An organization API key
 * (`Authorization: Bearer <key>`) gets its organization and permissions: it has no user.
 */
export const GET: APIRoute = (context) => {
  const auth = requireAuthOrApiKey(context); // 401 JSON, no-store, when no one
  if (auth instanceof Response) return auth;
  if (auth.credential === "api_key") {
    const { id, name, owner, obfuscatedValue } = auth.apiKey;
    return Response.json({
      credential: "api_key",
      organizationId: auth.organizationId,
      permissions: auth.permissions,
      apiKey: { id, name, owner, obfuscatedValue },
    });
  }
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
