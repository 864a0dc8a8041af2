/**
 * The session seal on the wire. A seal larger than one cookie is split across `wos-session`,
 * `wos-session.1`, … (S43), and what a request carries is reassembled and normalised to the seal
 * itself before anything else looks at it (S42).
 *
 * Why chunks can be trusted blindly: the seal's HMAC covers the whole string, so a missing,
 * reordered or foreign chunk makes a seal that does not open. Why stale chunks are harmless: an
 * iron seal ends with `~2`, and `normalizeSeal` drops everything from the first `~`, so a chunk
 * left over from a larger session, appended after the last one, is cut off rather than breaking
 * the seal (they are deleted anyway).
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import {
  deleteCookie,
  HOST_PREFIX,
  MAX_COOKIE_BYTES,
  readCookieValues,
  SESSION_COOKIE,
  setCookie,
  usesHostPrefix,
} from "./cookies.ts";
import { AuthError } from "../core/errors.ts";

/** Every session `Set-Cookie` line stays within this, attributes included (browsers allow 4096). */
export const MAX_SET_COOKIE_BYTES = 4000;
/**
 * The most cookies one session may take: about 20 KB of `Cookie` header on every request. A user
 * with 150 long permissions needs 4; much more would trip proxies' header limits (nginx's default
 * is 8 KB per header line) long before browsers', so past this sign-in fails with a clear page.
 */
export const MAX_SESSION_CHUNKS = 5;
/** The longest seal `normalizeSeal` accepts: what `MAX_SESSION_CHUNKS` full cookies hold. */
export const MAX_SEAL_LENGTH = MAX_SESSION_CHUNKS * MAX_SET_COOKIE_BYTES;
/** iron's seal format and version: `Fe26.2*<password id>*<salt>*<iv>*<data>*<exp>*<salt>*<mac>`. */
const SEAL_PREFIX = "Fe26.2*";
/** iron-session appends `~2` after the seal, outside the HMAC, and ignores whatever follows. */
const VERSION_DELIMITER = "~";

/** The session cookies of a request. */
export interface SessionCookie {
  /** The normalised seal; null when the cookies cannot hold one of ours (oversized, foreign). */
  seal: string | null;
  /** How many session cookies the request carried, so that all of them can be replaced. */
  chunks: number;
}

/** The chunk names, computed once: `[wos-session, wos-session.1, …]`, with and without prefix. */
const CHUNK_NAMES = {
  plain: chunkNamesFor(SESSION_COOKIE),
  hostOnly: chunkNamesFor(HOST_PREFIX + SESSION_COOKIE),
};

function chunkNamesFor(base: string): string[] {
  return Array.from({ length: MAX_SESSION_CHUNKS }, (_, i) => (i === 0 ? base : `${base}.${i}`));
}

/** The cookie names a session may occupy under `config`, in order. */
export function sessionCookieNames(config: AuthConfig): readonly string[] {
  return usesHostPrefix(config) ? CHUNK_NAMES.hostOnly : CHUNK_NAMES.plain;
}

/**
 * Reads and reassembles the request's session cookies; null when there is none. Cheap on
 * purpose (a signed-in page view runs it): one walk of the `Cookie` header that slices out only
 * the session's chunks, and no hashing. A cookie longer than any we set is refused without being
 * looked at further.
 */
export function readSessionCookie(request: Request, config: AuthConfig): SessionCookie | null {
  const parts = readCookieValues(request, sessionCookieNames(config));
  let value = parts[0];
  if (!value) return null;
  let oversized = value.length > MAX_COOKIE_BYTES;
  let chunks = 1;
  for (; chunks < parts.length; chunks++) {
    const part = parts[chunks];
    if (!part) break;
    oversized ||= part.length > MAX_COOKIE_BYTES;
    value += part;
  }
  return { seal: oversized ? null : normalizeSeal(value), chunks };
}

/**
 * The seal a cookie value stands for, or null if it cannot be one (S42). iron-session opens
 * `<seal>~<anything>` as `<seal>`: the tail is outside the HMAC, so it must not become part of a
 * cache key, or one account could fill memory with endless distinct copies of its cookie.
 * Everything inside the seal is covered by the HMAC, so the result is canonical.
 */
export function normalizeSeal(value: string): string | null {
  const end = value.indexOf(VERSION_DELIMITER);
  const seal = end === -1 ? value : value.slice(0, end);
  if (seal.length > MAX_SEAL_LENGTH || !seal.startsWith(SEAL_PREFIX)) return null;
  return seal;
}

/** Options for `sessionCookieHeaders`. */
export interface SessionCookieOptions {
  /** `Max-Age` of every chunk: the session's remaining lifetime. */
  maxAgeSeconds: number;
  /** How many session cookies the request carried: those beyond the new count are deleted. */
  previousChunks?: number;
}

/**
 * The `Set-Cookie` values that store `sealed`: one cookie per ≤ 4,000-byte line, in order, then
 * deletions of stale chunks. Throws `session_too_large` past `MAX_SESSION_CHUNKS`, rather than
 * hand the browser cookies it would drop or a session cut short.
 */
export function sessionCookieHeaders(
  sealed: string,
  config: AuthConfig,
  options: SessionCookieOptions,
): string[] {
  const names = sessionCookieNames(config);
  const headers: string[] = [];
  for (let offset = 0, i = 0; offset < sealed.length || i === 0; i++) {
    if (i >= names.length) throw new AuthError("session_too_large");
    const room = MAX_SET_COOKIE_BYTES -
      byteLength(setCookie(config, names[i], "", options.maxAgeSeconds));
    const part = sealed.slice(offset, offset + room);
    const header = setCookie(config, names[i], part, options.maxAgeSeconds);
    // Seals are ASCII, so this only trips if a future format needed escaping.
    if (byteLength(header) > MAX_SET_COOKIE_BYTES) throw new AuthError("session_too_large");
    headers.push(header);
    offset += part.length;
  }
  return headers.concat(staleChunkDeletions(config, headers.length, options.previousChunks ?? 0));
}

/** `Set-Cookie` values that delete every session cookie of a request that carried `chunks`. */
export function clearSessionCookies(config: AuthConfig, chunks = 1): string[] {
  return staleChunkDeletions(config, 0, Math.max(chunks, 1));
}

function staleChunkDeletions(config: AuthConfig, from: number, to: number): string[] {
  const names = sessionCookieNames(config);
  return names.slice(from, Math.min(to, names.length)).map((name) => deleteCookie(config, name));
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
