import type { APIRoute } from "astro";
import { getAuth } from "../../packages/authkit-astro-deno/src/auth.ts";

/** Starts hosted sign-in; `?returnTo=/path` comes back there afterwards. */
export const GET: APIRoute = ({ request }) => getAuth().signIn(request);
