/**
 * The two non-HTML response shapes every endpoint shares.
 *
 * @module
 */

/** A JSON response; the v6 SDK parses a 2xx body only when its content type says JSON. */
export function jsonResponse(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** A 302 that no cache keeps (its `Location` may carry a code). */
export function redirectResponse(location: URL | string): Response {
  return new Response(null, {
    status: 302,
    headers: { location: String(location), "cache-control": "no-store" },
  });
}
