/**
 * Cookie names and attributes, in one place, so a cookie is always deleted with exactly the
 * attributes it was set with (RFC 6265bis §5.6: otherwise the browser keeps the old one).
 *
 * @module
 */
import { parseCookie, stringifySetCookie } from "cookie";
import type { AuthConfig } from "../core/config.ts";

/** The encrypted session (split into `wos-session`, `wos-session.1`, … when large). */
export const SESSION_COOKIE = "wos-session";
/** The encrypted sign-in flows (state, PKCE verifier, returnTo): one per flow, `.<tag>` each. */
export const STATE_COOKIE = "wos-auth-state";
/** Browsers drop a cookie whose name, value and attributes exceed 4096 bytes (RFC 6265 §6.1). */
export const MAX_COOKIE_BYTES = 4096;
/**
 * The prefix that pins a cookie to the exact host (RFC 6265bis §4.1.3.2): browsers only accept
 * it with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot set or shadow it.
 */
export const HOST_PREFIX = "__Host-";

/**
 * Whether cookie names carry `__Host-` (S47): on https with no `WORKOS_COOKIE_DOMAIN`. Over plain
 * http (local development) browsers would refuse such cookies; with a configured domain the
 * cookies are shared with subdomains on purpose, which the prefix forbids.
 */
export function usesHostPrefix(config: AuthConfig): boolean {
  return config.secureCookies && !config.cookieDomain;
}

/** The name cookie `base` goes by under `config` (see `usesHostPrefix`). */
export function cookieName(config: AuthConfig, base: string): string {
  return usesHostPrefix(config) ? HOST_PREFIX + base : base;
}

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
  return readCookieValues(request, [name])[0] || undefined;
}

/**
 * The values of the cookies `names` (distinct), in order, read exactly as `parseCookie` reads
 * them (the first of a repeated name wins, blanks around names and values are trimmed, a value
 * with `%` is URL-decoded) but without building an object of every cookie: the session's reader
 * runs on every signed-in request, and it only wants its own names. `cookies_test.ts` holds the
 * two readings equal on hostile headers.
 */
export function readCookieValues(
  request: Request,
  names: readonly string[],
): (string | undefined)[] {
  const values: (string | undefined)[] = names.map(() => undefined);
  const header = request.headers.get("cookie") ?? "";
  const length = header.length;
  let index = 0;
  // parseCookie's walk: from each pair's start, the next `=` and the next `;`.
  while (length >= 2 && index < length) {
    const equals = header.indexOf("=", index);
    if (equals === -1) break;
    const semicolon = header.indexOf(";", index);
    const end = semicolon === -1 ? length : semicolon;
    if (equals > end) {
      // A pair without `=`: resume after the last `;` before the next `=`.
      index = header.lastIndexOf(";", equals - 1) + 1;
      continue;
    }
    const start = skipBlanks(header, index, equals);
    const nameLength = trimBlanks(header, start, equals) - start;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (
        values[i] === undefined && name.length === nameLength && header.startsWith(name, start)
      ) {
        const valueStart = skipBlanks(header, equals + 1, end);
        values[i] = decodeValue(header.slice(valueStart, trimBlanks(header, valueStart, end)));
        break;
      }
    }
    index = end + 1;
  }
  return values;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9; // space, tab
}

function skipBlanks(text: string, from: number, to: number): number {
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  return from;
}

function trimBlanks(text: string, from: number, to: number): number {
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  return to;
}

/** `parseCookie`'s decoding: URL-decoded when it holds a `%` and decodes, else as it is. */
function decodeValue(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Every cookie of a request, by name; the first wins when a name repeats. A malformed `Cookie`
 * header reads as no cookies.
 */
export function readCookies(request: Request): Record<string, string | undefined> {
  const header = request.headers.get("cookie");
  if (!header) return {};
  try {
    return parseCookie(header);
  } catch {
    return {};
  }
}
