import type { APIRoute } from "astro";
import { handleAuthState } from "../../handlers/auth-state.ts";
import { auth } from "../runtime.ts";

/** The session's public state for `$auth` (`@authkit-deno/astro/client`). */
export const GET: APIRoute = ({ request, locals }) =>
  handleAuthState(request, {
    auth: locals.auth,
    organizations: locals.organizations,
    appOrigin: auth().config.redirectUri.origin,
  });
