/**
 * A self-hosted `denokv` server as Deno sees it when that server is down: its metadata endpoint
 * answers 503. It records each request, so a test can see the URL and token `Deno.openKv` used.
 *
 * @module
 */

/** A stand-in for a self-hosted `denokv` whose metadata endpoint fails, recording requests. */
export function unavailableDenoKv() {
  const requests: { method: string; path: string; authorization: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.body?.cancel();
    const { pathname } = new URL(request.url);
    requests.push({
      method: request.method,
      path: pathname,
      authorization: request.headers.get("authorization"),
    });
    return new Response("unavailable", { status: 503 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, requests, server };
}
