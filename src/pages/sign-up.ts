import type { APIRoute } from "astro";
import { getAuth } from "../../packages/authkit-astro-deno/src/auth.ts";

/** Starts hosted sign-in on AuthKit's sign-up screen. */
export const GET: APIRoute = ({ request }) => getAuth().signUp(request);
