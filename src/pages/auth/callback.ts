import type { APIRoute } from "astro";
import { getAuth } from "../../../packages/authkit-astro-deno/src/auth.ts";

/** Where AuthKit sends the browser back with `code` and `state`. */
export const GET: APIRoute = ({ request }) => getAuth().callback(request);
