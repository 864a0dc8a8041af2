import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** The session's access token for this origin's browser code (`getAccessToken()`). */
export const GET: APIRoute = ({ request }) => auth().accessToken(request);
