import type { APIRoute } from "astro";
import { getAuth } from "../lib/auth/auth.ts";

/** Starts hosted sign-in; `?returnTo=/path` comes back there afterwards. */
export const GET: APIRoute = ({ request }) => getAuth().signIn(request);
