import type { APIRoute } from "astro";

/** Liveness probe: no auth, no upstream calls, never cached. */
export const GET: APIRoute = () =>
  new Response(JSON.stringify({ status: "ok" }), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
