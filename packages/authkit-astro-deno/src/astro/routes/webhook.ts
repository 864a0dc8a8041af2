import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** WorkOS events (signed). `session.revoked` ends that session on every instance. */
export const POST: APIRoute = ({ request }) => auth().webhook(request);
