/**
 * What the integration (`astro/adapter.ts`) adds around the adapter's `Deno.serve` call: the address to listen on,
 * read at run time, and a limit on the `Cookie` header checked before Astro sees the request.
 *
 * @module
 */

/** An address for `Deno.serve`. */
export interface ListenAddress {
  port: number;
  hostname: string;
}

/**
 * The address to listen on (run time, not build time): `PORT` and `HOST`, the convention of
 * container platforms, over the adapter's build-time `defaults`. `DENO_SERVE_ADDRESS` (Deno's own,
 * which Deno Deploy can set) wins: `Deno.serve` applies it over whatever it is given, so the
 * defaults are returned untouched and the start-up line stays true. Throws on a malformed value,
 * so a misconfigured container stops at start instead of listening somewhere else.
 */
export function resolveListenAddress(
  env: Record<string, string | undefined>,
  defaults: ListenAddress,
): ListenAddress {
  if (env.DENO_SERVE_ADDRESS?.trim()) return defaults;
  const port = env.PORT?.trim();
  const hostname = env.HOST?.trim();
  if (port && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) {
    throw new Error(`PORT must be a whole number from 0 to 65535: received "${port}"`);
  }
  return { port: port ? Number(port) : defaults.port, hostname: hostname || defaults.hostname };
}

/**
 * The largest `Cookie` header served (S42): a session at its bound (`MAX_SEAL_LENGTH`, 20,000
 * bytes), the sign-in state cookies and 4 KB for other cookies. More is refused before Astro
 * runs, with 431. Why here and not in the middleware: Astro keeps a request alive across its
 * whole render pipeline, long enough for the header's string to outlive V8's young generation,
 * so each oversized request left ~30 KB for the next full collection (measured: 3,000 requests
 * with 30 KB cookies grew the server by ~93 MiB, reclaimed only later). Refused here, it dies young.
 */
export const MAX_COOKIE_HEADER_BYTES = 26_000;

/** Wraps `handler` so that a request whose `Cookie` header is too large gets 431 straight away. */
export function refuseOversizedCookies<H extends Deno.ServeHandler>(handler: H): Deno.ServeHandler {
  return (request, info) => {
    const cookie = request.headers.get("cookie");
    if (cookie && cookie.length > MAX_COOKIE_HEADER_BYTES) return cookieHeaderTooLarge();
    return handler(request, info);
  };
}

/** RFC 6585 §5: the request's header fields are too large. Nothing of the request is echoed. */
function cookieHeaderTooLarge(): Response {
  return new Response(
    "Request header fields too large: this site's cookies are too big. Clear them and try again.\n",
    {
      status: 431,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    },
  );
}
