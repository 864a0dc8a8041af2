import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Switches the session to another of the user's organizations (form: `organizationId`). */
export const POST: APIRoute = ({ request }) => auth().switchOrganization(request);

/** Not a page: a reload of the switch's error page lands back where sign-in lands. */
export const GET: APIRoute = () =>
  new Response(null, { status: 303, headers: { location: auth().config.routes.afterSignIn } });
