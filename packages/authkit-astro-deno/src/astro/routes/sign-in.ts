import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Starts hosted sign-in; `?returnTo=/path` comes back there afterwards. */
export const GET: APIRoute = ({ request }) => auth().signIn(request);
