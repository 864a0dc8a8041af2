/**
 * `returnTo` validation: after sign-in the browser may only go to a path on this site
 * (OWASP Unvalidated Redirects; the open-redirect fixes in authkit-session and authkit-sveltekit).
 *
 * @module
 */
import { type AuthRoutes, DEFAULT_ROUTES, isWithinAuthRoute } from "./routes.ts";

/** Where sign-in lands, with the default routes, when no usable `returnTo` was given. */
export const DEFAULT_RETURN_TO = DEFAULT_ROUTES.afterSignIn;

// A placeholder origin: resolving against it shows whether a value would leave the site.
const PROBE_ORIGIN = "http://return-to.invalid";

/**
 * Returns `value` if it is a same-origin path, else `routes.afterSignIn`. Rejects absolute and
 * protocol-relative URLs, backslashes (browsers read `/\evil` as `//evil`), control characters
 * and whitespace (`/\t/evil`), and anything that resolves to another origin.
 */
export function safeReturnTo(
  value: string | null | undefined,
  routes: AuthRoutes = DEFAULT_ROUTES,
): string {
  const fallback = routes.afterSignIn;
  if (!value || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  // deno-lint-ignore no-control-regex
  if (/[\\\s\x00-\x1f\x7f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  // Dot segments collapse while parsing: `/.//evil.com` and `/%2e//evil.com` normalize to the path
  // `//evil.com`, which a browser reads as protocol-relative. Check the path we hand back.
  if (url.pathname.startsWith("//")) return fallback;
  // Never send a fresh session back into the auth routes themselves.
  if (isWithinAuthRoute(url.pathname, routes)) return fallback;
  return url.pathname + url.search + url.hash;
}
