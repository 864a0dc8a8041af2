import type { APIRoute } from "astro";
import { auth } from "../runtime.ts";

/** Where AuthKit sends the browser back with `code` and `state`. */
export const GET: APIRoute = ({ request }) => auth().callback(request);
