/**
 * The path Astro routes, read the way Astro reads it, so the guard decides on the page Astro will
 * render and not on a spelling of its URL (S62). Astro 7.3.5 decodes a request's pathname with
 * `decodeURI` until it stops changing (`validateAndDecodePathname`, at most 10 rounds, else a 400
 * before any middleware runs) and then collapses duplicate slashes; the middleware's
 * `request.url` is still the raw spelling. `/%2561ccount` is `/account` to the router.
 *
 * @module
 */

/** Astro's `MAX_DECODE_ITERATIONS` (astro/dist/core/util/pathname.js). */
export const MAX_DECODE_ROUNDS = 10;

/**
 * The pathname Astro matches routes against for the raw `pathname` of a request, or null when
 * Astro refuses it as encoded too deeply (it answers 400). A copy of
 * `validateAndDecodePathname` followed by `collapseDuplicateSlashes`, including its fallbacks:
 * a first `decodeURI` that throws keeps the raw path, a later one keeps the last good round.
 */
export function routedPathname(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURI(pathname);
  } catch {
    return collapseSlashes(pathname);
  }
  let rounds = 0;
  while (decoded !== pathname) {
    if (rounds >= MAX_DECODE_ROUNDS) return null;
    pathname = decoded;
    try {
      decoded = decodeURI(pathname);
    } catch {
      break;
    }
    rounds++;
  }
  return collapseSlashes(decoded);
}

/**
 * A stricter reading than any router's, for a check that must not miss a protected path: every
 * escape decoded (`%2f` and `%3b` too) until nothing changes, dot segments resolved, duplicate
 * slashes collapsed, case folded. Null when it cannot be decoded within the same bound: the
 * caller treats that as protected rather than guess.
 */
export function strictPathname(pathname: string): string | null {
  let current = pathname;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (decoded === current) return resolveDotSegments(collapseSlashes(decoded)).toLowerCase();
    current = decoded;
  }
  return null;
}

function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

/** RFC 3986 §5.2.4's `remove_dot_segments`, for a path that arrives with them decoded. */
function resolveDotSegments(path: string): string {
  if (!path.includes("/.")) return path;
  const out: string[] = [];
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === ".") continue;
    if (segment !== "..") out.push(segment);
    else if (out.length > 1) out.pop(); // never above the root
  }
  const last = segments[segments.length - 1];
  const trailing = last === "." || last === "..";
  const resolved = out.join("/") + (trailing ? "/" : "");
  return resolved.startsWith("/") ? resolved : `/${resolved}`;
}

/**
 * `new URL(href).pathname`, for a `Request.url`: the URL parser has already serialised it, so its
 * path runs from the first `/` after the authority to the first `?` or `#` (each of which the
 * serialiser percent-encodes inside a path, as it does `/` inside user info). The guard reads it
 * on every request; this spares that request a second parse of its URL.
 */
export function pathnameOf(href: string): string {
  const authority = href.indexOf("//");
  const start = authority === -1 ? -1 : href.indexOf("/", authority + 2);
  if (start === -1) return new URL(href).pathname; // not an http(s) URL: let the parser say
  let end = href.indexOf("?", start);
  if (end === -1) end = href.length;
  const fragment = href.indexOf("#", start);
  return href.slice(start, fragment !== -1 && fragment < end ? fragment : end);
}
