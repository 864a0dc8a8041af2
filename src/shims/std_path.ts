/**
 * Stand-in for `jsr:@std/path@^1.1.5`, which the Deno adapter's built server imports and which
 * cannot be fetched here (JSR is unreachable). `deno.json` maps the specifier to this file; the
 * adapter only uses `fromFileUrl`.
 *
 * @module
 */

/** Converts a `file:` URL to a POSIX path, decoding percent-escapes as `@std/path` does. */
export function fromFileUrl(url: string | URL): string {
  const parsed = url instanceof URL ? url : new URL(url);
  if (parsed.protocol !== "file:") {
    throw new TypeError(`Must be a file URL: received "${parsed.protocol}"`);
  }
  // `@std/path` escapes lone `%` first so `decodeURIComponent` cannot throw on them.
  const escaped = parsed.pathname.replace(/%(?![0-9A-Fa-f]{2})/g, "%25");
  try {
    return decodeURIComponent(escaped);
  } catch {
    // Invalid UTF-8 (`%C0`) names no file we serve. Returning the raw path lets `serveFile`
    // answer 404 instead of the adapter turning a URIError into a 500.
    return parsed.pathname;
  }
}
