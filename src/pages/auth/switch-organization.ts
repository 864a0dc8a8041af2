import type { APIRoute } from "astro";
import { getAuth } from "../../../packages/authkit-astro-deno/src/auth.ts";

/** Switches the session to another of the user's organizations (form: `organizationId`). */
export const POST: APIRoute = ({ request }) => getAuth().switchOrganization(request);

/** Not a page: a reload of the switch's error page lands back on the dashboard's switcher. */
export const GET: APIRoute = () =>
  new Response(null, { status: 303, headers: { location: "/dashboard" } });
