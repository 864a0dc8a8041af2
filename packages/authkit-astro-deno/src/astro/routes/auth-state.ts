import type { APIRoute } from "astro";
import { handleAuthState } from "../../handlers/auth-state.ts";
import { requestAppOrigin } from "../../core/redirect-origins.ts";
import { auth } from "../runtime.ts";

/** The session's public state for `$auth` (`@authkit-deno/astro/client`). */
export const GET: APIRoute = ({ request, locals }) =>
  handleAuthState(request, {
    auth: locals.auth,
    organizations: locals.organizations,
    // The preview's own origin when WORKOS_REDIRECT_URI allows it (S71).
    appOrigin: requestAppOrigin(request, auth().config),
  });
