/**
 * The `wos-session` cookie: the user and tokens, sealed with iron-session.
 *
 * The seal carries its own absolute expiry (`expiresAt`, counted from sign-in), so a refreshed
 * session never outlives the lifetime the operator configured, whatever `Max-Age` says.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";
import { type Opened, seal, unseal } from "./seal.ts";
import { sessionCookieHeaders } from "./session-cookie.ts";
import type { Authentication, SessionUser } from "../workos/calls.ts";

const KIND = "session";

/** What the session cookie holds. */
export interface Session {
  user: SessionUser;
  organizationId: string | null;
  impersonator: { email: string; reason: string | null } | null;
  accessToken: string;
  refreshToken: string;
  /** Unix seconds after which the session is over, refresh or not. */
  expiresAt: number;
  /**
   * The WorkOS time (epoch ms) of the latest change to the user's claims that these tokens were
   * refreshed after (S69): they already say what WorkOS says since, even when issued in the same
   * second as the change (`iat` has whole seconds).
   */
  claimsAsOf?: number;
}

/** A new session from a successful code exchange, expiring `sessionMaxAgeSeconds` from `now`. */
export function createSession(auth: Authentication, config: AuthConfig, now: number): Session {
  return {
    user: auth.user,
    organizationId: auth.organizationId,
    impersonator: auth.impersonator,
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
    expiresAt: Math.floor(now / 1000) + config.sessionMaxAgeSeconds,
  };
}

/**
 * Seals `session`, returning the seal and its `Set-Cookie` values: as many chunks as it takes
 * (S43), then deletions of the request's stale ones (`previousChunks`, what it carried). Fails
 * loudly with `session_too_large` past the chunk bound, never with a cookie the browser would
 * silently drop (S21).
 */
export async function createSessionCookie(
  session: Session,
  config: AuthConfig,
  now: number,
  options: { previousChunks?: number } = {},
): Promise<{ sealed: string; headers: string[] }> {
  const ttl = session.expiresAt - Math.floor(now / 1000);
  if (ttl <= 0) throw new AuthError("session_invalid");
  const sealed = await seal(KIND, session, config.cookiePasswords, ttl);
  const headers = sessionCookieHeaders(sealed, config, {
    maxAgeSeconds: ttl,
    previousChunks: options.previousChunks,
  });
  return { sealed, headers };
}

/** Opens a session cookie value; null when it is not a live session of ours. */
export async function openSession(
  sealed: string,
  config: AuthConfig,
  now: number,
): Promise<Opened<Session> | null> {
  const opened = await unseal(KIND, sealed, config.cookiePasswords, isSession);
  if (!opened || opened.value.expiresAt <= Math.floor(now / 1000)) return null;
  return opened;
}

/** The schema check for an unsealed value: only a complete session passes. */
export function isSession(value: unknown): value is Session {
  const v = value as Partial<Session> | null;
  return typeof v?.accessToken === "string" && v.accessToken !== "" &&
    typeof v.refreshToken === "string" && v.refreshToken !== "" &&
    typeof v.expiresAt === "number" &&
    typeof v.user === "object" && v.user !== null &&
    typeof v.user.id === "string" && typeof v.user.email === "string";
}
