import type { APIRoute } from "astro";
import { getAuth } from "../../../packages/authkit-astro-deno/src/auth.ts";

/** WorkOS events (signed). `session.revoked` ends that session on every instance. */
export const POST: APIRoute = ({ request }) => getAuth().webhook(request);
