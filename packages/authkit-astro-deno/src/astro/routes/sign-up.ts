import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Starts hosted sign-in on AuthKit's sign-up screen. */
export const GET: APIRoute = ({ request }) => auth().signUp(request);
