import type { APIRoute } from "astro";
import { getAuth } from "../../../packages/authkit-astro-deno/src/auth.ts";

/** The session's access token for this origin's browser code (`getAccessToken()`). */
export const GET: APIRoute = ({ request }) => getAuth().accessToken(request);
