import type { APIRoute } from "astro";
import { getAuth } from "../lib/auth/auth.ts";

/** Starts hosted sign-in on AuthKit's sign-up screen. */
export const GET: APIRoute = ({ request }) => getAuth().signUp(request);
