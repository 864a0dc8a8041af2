import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Ends one of the user's other sessions (form: `sessionId`), or all of them (`others=true`). */
export const POST: APIRoute = ({ request }) => auth().revokeSessions(request);

/** Not a page: a reload of its error page lands back where sign-in lands. */
export const GET: APIRoute = () =>
  new Response(null, { status: 303, headers: { location: auth().config.routes.afterSignIn } });
