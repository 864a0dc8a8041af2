import type { APIRoute } from "astro";
import { getAuth } from "../../packages/authkit-astro-deno/src/auth.ts";

/** Ends the session. POST only: a link or an image tag must not sign anyone out. */
export const POST: APIRoute = ({ request }) => getAuth().signOut(request);
