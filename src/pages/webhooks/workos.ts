import type { APIRoute } from "astro";
import { getAuth } from "../../lib/auth/auth.ts";

/** WorkOS events (signed). `session.revoked` ends that session on every instance. */
export const POST: APIRoute = ({ request }) => getAuth().webhook(request);
