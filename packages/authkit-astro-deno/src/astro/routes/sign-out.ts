import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Ends the session. POST only: a link or an image tag must not sign anyone out. */
export const POST: APIRoute = ({ request }) => auth().signOut(request);
