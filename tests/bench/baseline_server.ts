/**
 * The benchmark's floor: a bare `Deno.serve` answering every request with the landing page's
 * own HTML (passed in `BASELINE_BODY`), so its bytes on the wire match `/` and the difference
 * is what Astro's rendering and the middleware cost. Listens where `DENO_SERVE_ADDRESS` says.
 *
 * @module
 */
const body = new TextEncoder().encode(Deno.env.get("BASELINE_BODY") ?? "");
const headers = { "content-type": "text/html" };

Deno.serve({ onListen() {} }, () => new Response(body, { headers }));
