/**
 * Turns a request's `wos-session` cookie into a verified session, refreshing the access token
 * when it has expired or is about to. Runs once per request, from the middleware.
 *
 * @module
 */
import { type AuthContext, claimsView, withAccessCheck } from "./context.ts";
import type { AuthConfig } from "../core/config.ts";
import type { ExpiringLru } from "../core/cache.ts";
import { AuthError, type AuthErrorCode, isTransient, toAuthError } from "../core/errors.ts";
import { assertNotRevoked, type Revocations } from "../shared-state/revocations.ts";
import { createSessionCookie, openSession, type Session } from "./session.ts";
import {
  normalizeSeal,
  readSessionCookie,
  type SessionCookie,
  sessionCookieHeaders,
} from "./session-cookie.ts";
import type { AccessTokenClaims, TokenVerifier } from "../workos/tokens.ts";
import { tokenFreshness } from "../shared-state/feed.ts";

export type { AuthContext };

/** Refresh when the access token expires within this many seconds. */
export const REFRESH_MARGIN_SECONDS = 60;

/** The outcome of resolving a request's session. */
export type Resolution =
  | { kind: "signed-in"; auth: AuthContext; setCookies?: string[] }
  | { kind: "signed-out"; clearCookie: boolean; code?: AuthErrorCode }
  | { kind: "unavailable"; error: AuthError };

/** What resolution needs; built once per process in `auth.ts`. */
export interface ResolveDeps {
  config: AuthConfig;
  verify: TokenVerifier;
  /** Refreshes `session` once across all instances; resolves to the new seal (`refresh.ts`). */
  refresh: (session: Session) => Promise<string>;
  cache: ExpiringLru<AuthContext>;
  revocations: Revocations;
  now: () => number;
  /**
   * Users' profiles by id, remembered whenever a cookie session is verified (a cache miss, never
   * a hit), so a bearer request of the same user can be answered with them (`bearer.ts`).
   */
  profiles?: ExpiringLru<Session["user"]>;
}

/**
 * Resolves the session of `request`. Never throws: failures become a `Resolution`. Synchronous
 * for the common cases, no cookie and a cache hit, so a signed-in page view waits on no promise;
 * only a cache miss (open, verify, maybe refresh) returns one.
 */
export function resolveSession(
  request: Request,
  deps: ResolveDeps,
): Resolution | Promise<Resolution> {
  const cookie = readSessionCookie(request, deps.config);
  if (!cookie) return { kind: "signed-out", clearCookie: false };
  // Oversized or not a seal at all (S42): refused before any work, as a bad seal would be.
  if (!cookie.seal) return { kind: "signed-out", clearCookie: true, code: "session_invalid" };
  const cached = deps.cache.get(cookie.seal, deps.now());
  if (cached) {
    if (!deps.revocations.has(cached.sessionId)) return { kind: "signed-in", auth: cached };
    // Signed out or revoked on some instance since it was cached (S39, S40).
    deps.cache.delete(cookie.seal);
    return { kind: "signed-out", clearCookie: true, code: "session_revoked" };
  }
  return resolveFromCookie(cookie, deps).catch(failureResolution);
}

/** A transient failure is "unavailable"; anything else fails closed. */
function failureResolution(error: unknown): Resolution {
  const authError = toAuthError(error);
  if (isTransient(authError.code)) return { kind: "unavailable", error: authError };
  // Terminal or unexpected: fail closed, and clear the cookie only when it is known dead.
  // A session too large to store after a refresh has spent its refresh token: clear it (S43).
  const dead = authError.code === "refresh_rejected" || authError.code === "session_invalid" ||
    authError.code === "token_invalid" || authError.code === "session_too_large" ||
    authError.code === "session_revoked";
  return { kind: "signed-out", clearCookie: dead, code: authError.code };
}

async function resolveFromCookie(cookie: SessionCookie, deps: ResolveDeps): Promise<Resolution> {
  const { config, now } = deps;
  const seal = cookie.seal!;
  const opened = await openSession(seal, config, now());
  if (!opened) throw new AuthError("session_invalid");
  const session = opened.value;
  // A cache miss asks shared state once whether the session was revoked on any instance, and
  // whether its user's claims changed at WorkOS since (S69).
  await assertNotRevoked(() =>
    deps.revocations.isTokenRevoked(session.accessToken, session.user.id)
  );

  const verification = await deps.verify(session.accessToken, now());
  if (!verification.ok && verification.reason === "invalid") {
    throw new AuthError("token_invalid", { cause: verification.cause });
  }
  // Decided with no await before the cache write below: a change learned meanwhile (the feed)
  // cannot slip a stale session into the cache.
  const change = deps.revocations.userChange(session.user.id);
  const freshness = verification.ok
    ? tokenFreshness(change, verification.claims.iat, session.claimsAsOf)
    : "fresh";
  if (freshness === "ended") throw new AuthError("session_revoked"); // the user was deleted
  if (verification.ok) {
    assertSameUser(session, verification.claims);
    if (!expiresSoon(verification.claims, now()) && freshness === "fresh") {
      const auth = toAuthContext(session, verification.claims);
      if (opened.sealedWithOldPassword) {
        // Password rotation: re-seal under the newest password so the old one can be retired.
        const previousChunks = cookie.chunks;
        const { headers } = await createSessionCookie(session, config, now(), { previousChunks });
        return { kind: "signed-in", auth, setCookies: headers };
      }
      remember(seal, auth, cacheUntil(verification.claims, session), deps);
      return { kind: "signed-in", auth };
    }
  }
  // A token whose claims changed at WorkOS is not "still valid": no serving it through an outage.
  const stillValid = verification.ok && freshness === "fresh" ? verification.claims : null;
  // A refresh the change forced records it in the new seal: no instance refreshes it again.
  const forced = freshness === "refresh" ? change!.changedAt : undefined;
  return await refreshSession(session, stillValid, cookie.chunks, deps, forced);
}

/**
 * Refreshes once across all instances and verifies the result. Every instance that receives the
 * old cookie answers with the same new seal, whoever exchanged it, and deletes the chunks the
 * request carried beyond it. If the token is merely close to expiry and WorkOS is down, the
 * still-valid token is used as is.
 */
async function refreshSession(
  session: Session,
  stillValid: AccessTokenClaims | null,
  previousChunks: number,
  deps: ResolveDeps,
  claimsAsOf?: number,
): Promise<Resolution> {
  let sealed: string;
  try {
    sealed = await deps.refresh(claimsAsOf === undefined ? session : { ...session, claimsAsOf });
  } catch (error) {
    if (stillValid && isTransient(toAuthError(error).code)) {
      return { kind: "signed-in", auth: toAuthContext(session, stillValid) };
    }
    throw error;
  }
  const opened = await openSession(sealed, deps.config, deps.now());
  if (!opened) throw new AuthError("session_invalid");
  const refreshed = opened.value;
  const verification = await deps.verify(refreshed.accessToken, deps.now());
  if (!verification.ok) throw new AuthError("token_invalid", { cause: verification.cause });
  assertSameUser(refreshed, verification.claims);
  if (claimsAsOf !== undefined) assertNotLeftOrganization(refreshed, verification.claims, deps);
  const headers = sessionCookieHeaders(sealed, deps.config, {
    maxAgeSeconds: refreshed.expiresAt - Math.floor(deps.now() / 1000),
    previousChunks,
  });
  const auth = toAuthContext(refreshed, verification.claims);
  remember(normalizeSeal(sealed)!, auth, cacheUntil(verification.claims, refreshed), deps);
  return { kind: "signed-in", auth, setCookies: headers };
}

/** Caches a verified session, and its user's profile for bearer requests. */
function remember(seal: string, auth: AuthContext, until: number, deps: ResolveDeps): void {
  deps.cache.set(seal, auth, until, deps.now());
  deps.profiles?.set(auth.user.id, auth.user, until + PROFILE_GRACE_MS, deps.now());
}

/** A profile outlives its session's cache entry by this much: bearer tokens live ~5 minutes. */
const PROFILE_GRACE_MS = 10 * 60_000;

/**
 * A member removed from an organization is never served it again (S69): should the refresh that
 * the removal forced still name it, the session ends rather than trust the old membership. (A
 * later sign-in into it is WorkOS's word on a new membership, and is not checked.)
 */
function assertNotLeftOrganization(
  session: Session,
  claims: AccessTokenClaims,
  deps: ResolveDeps,
): void {
  const left = deps.revocations.userChange(session.user.id)?.leftOrganizations ?? [];
  if (claims.org_id && left.includes(claims.org_id)) throw new AuthError("session_revoked");
}

/** The stored user must be the token's subject (S19). */
function assertSameUser(session: Session, claims: AccessTokenClaims): void {
  if (session.user.id !== claims.sub) throw new AuthError("token_invalid");
}

function expiresSoon(claims: AccessTokenClaims, now: number): boolean {
  return claims.exp - Math.floor(now / 1000) <= REFRESH_MARGIN_SECONDS;
}

/** A cache entry lives until the refresh margin begins, and never past the session's end. */
function cacheUntil(claims: AccessTokenClaims, session: Session): number {
  return Math.min(claims.exp - REFRESH_MARGIN_SECONDS, session.expiresAt) * 1000;
}

/** The signed-in user as pages see it, from a cookie session. */
function toAuthContext(session: Session, claims: AccessTokenClaims): AuthContext {
  const context: Omit<AuthContext, "has" | "isRecent"> = {
    ...claimsView(claims, session.accessToken),
    user: session.user,
    organizationId: claims.org_id ?? session.organizationId,
    impersonator: session.impersonator ??
      (claims.act?.sub ? { email: claims.act.sub, reason: null } : null),
    credential: "cookie",
    profileKnown: true,
  };
  return withAccessCheck(context);
}
