/**
 * `returnTo` validation: after sign-in the browser may only go to a path on this site
 * (OWASP Unvalidated Redirects; the open-redirect fixes in authkit-session and authkit-sveltekit).
 *
 * @module
 */
import { isWithinAuthRoute } from "./routes.ts";

/** Where sign-in lands when no usable `returnTo` was given. */
export const DEFAULT_RETURN_TO = "/dashboard";

// A placeholder origin: resolving against it shows whether a value would leave the site.
const PROBE_ORIGIN = "http://return-to.invalid";

/**
 * Returns `value` if it is a same-origin path, else `DEFAULT_RETURN_TO`. Rejects absolute and
 * protocol-relative URLs, backslashes (browsers read `/\evil` as `//evil`), control characters
 * and whitespace (`/\t/evil`), and anything that resolves to another origin.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2048) return DEFAULT_RETURN_TO;
  if (!value.startsWith("/") || value.startsWith("//")) return DEFAULT_RETURN_TO;
  // deno-lint-ignore no-control-regex
  if (/[\\\s\x00-\x1f\x7f]/.test(value)) return DEFAULT_RETURN_TO;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  if (url.origin !== PROBE_ORIGIN) return DEFAULT_RETURN_TO;
  // Dot segments collapse while parsing: `/.//evil.com` and `/%2e//evil.com` normalize to the path
  // `//evil.com`, which a browser reads as protocol-relative. Check the path we hand back.
  if (url.pathname.startsWith("//")) return DEFAULT_RETURN_TO;
  // Never send a fresh session back into the auth routes themselves.
  if (isWithinAuthRoute(url.pathname)) return DEFAULT_RETURN_TO;
  return url.pathname + url.search + url.hash;
}
