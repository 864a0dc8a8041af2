/**
 * Cookie names and attributes, in one place, so a cookie is always deleted with exactly the
 * attributes it was set with (RFC 6265bis §5.6: otherwise the browser keeps the old one).
 *
 * @module
 */
import { parseCookie, stringifySetCookie } from "cookie";
import type { AuthConfig } from "./config.ts";

/** The encrypted session. */
export const SESSION_COOKIE = "wos-session";
/** The encrypted sign-in flow (state, PKCE verifier, returnTo), alive for one sign-in. */
export const STATE_COOKIE = "wos-auth-state";
/** Browsers drop a cookie whose name, value and attributes exceed 4096 bytes (RFC 6265 §6.1). */
export const MAX_COOKIE_BYTES = 4096;

/** Attributes shared by every cookie the app sets. `Secure` follows the redirect URI's scheme. */
function cookieBase(config: AuthConfig) {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: config.secureCookies,
    domain: config.cookieDomain,
  };
}

/** A `Set-Cookie` value that stores `value` for `maxAgeSeconds`. */
export function setCookie(
  config: AuthConfig,
  name: string,
  value: string,
  maxAgeSeconds: number,
): string {
  return stringifySetCookie({ name, value, maxAge: maxAgeSeconds, ...cookieBase(config) });
}

/** A `Set-Cookie` value that deletes `name`, repeating the attributes it was set with. */
export function deleteCookie(config: AuthConfig, name: string): string {
  return stringifySetCookie({ name, value: "", maxAge: 0, ...cookieBase(config) });
}

/** Reads one cookie from a request; a malformed `Cookie` header reads as no cookie. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  try {
    return parseCookie(header)[name] || undefined;
  } catch {
    return undefined;
  }
}
