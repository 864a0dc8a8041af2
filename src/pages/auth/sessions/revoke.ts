import type { APIRoute } from "astro";
import { getAuth } from "../../../../packages/authkit-astro-deno/src/auth.ts";

/** Ends one of the user's other sessions (form: `sessionId`), or all of them (`others=true`). */
export const POST: APIRoute = ({ request }) => getAuth().revokeSessions(request);

/** Not a page: a reload of its error page lands back on the sessions list. */
export const GET: APIRoute = () =>
  new Response(null, { status: 303, headers: { location: "/dashboard/sessions" } });
