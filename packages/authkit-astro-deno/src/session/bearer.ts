/**
 * `Authorization: Bearer <access token>` on API routes (S60): the access token browser code got
 * from `GET /auth/access-token` (or any WorkOS access token of this app) stands in for the
 * cookie. It is verified exactly as the cookie's token is (RS256, issuer, expiry, required
 * claims, `sid` not revoked on any instance), but nothing is refreshed or sealed: a bearer
 * request has no session cookie to write, so it never gets a `Set-Cookie`.
 *
 * Verified tokens are cached until their `exp`, keyed by the token itself, as sealed cookies
 * are; a hit still checks the in-memory revocations, so a revoked session's tokens stop within
 * one revocation poll, as its cookies do.
 *
 * @module
 */
import { ExpiringLru } from "../core/cache.ts";
import { AuthError, toAuthError } from "../core/errors.ts";
import { freezeDeep } from "../core/freeze.ts";
import { assertNotRevoked, type Revocations } from "../shared-state/revocations.ts";
import { tokenFreshness } from "../shared-state/feed.ts";
import type { AccessTokenClaims, TokenVerifier } from "../workos/tokens.ts";
import type { SessionUser } from "../workos/calls.ts";
import { type AuthContext, claimsView, withAccessCheck } from "./context.ts";
import type { Resolution } from "./resolve.ts";

/** Bound on remembered bearer tokens (each ~1–2 KB with its context). */
export const BEARER_CACHE_SIZE = 10_000;
/** A bearer token longer than this is refused unread (a token with 150 permissions is ~9 KB). */
export const MAX_BEARER_TOKEN_LENGTH = 16_384;

/** What bearer resolution needs; built once per process in `auth.ts`. */
export interface BearerDeps {
  verify: TokenVerifier;
  revocations: Revocations;
  cache: ExpiringLru<AuthContext>;
  /** Profiles remembered from cookie sessions (`resolve.ts`). */
  profiles: ExpiringLru<SessionUser>;
  now: () => number;
}

/** A cache of verified bearer tokens. */
export function createBearerCache(): ExpiringLru<AuthContext> {
  return new ExpiringLru<AuthContext>(BEARER_CACHE_SIZE, {
    maxBytes: 32 * 2 ** 20,
    sizeOf: (token) => 600 + token.length * 2,
  });
}

/** A bearer credential as read from the header, before anything is verified. */
export type BearerCredential =
  /** A JWT's shape: a WorkOS access token (S60). */
  | { kind: "access_token"; value: string }
  /** Any other RFC 6750 token: an organization API key, for WorkOS to validate (S67). */
  | { kind: "api_key"; value: string }
  /** Empty, oversized, or of no token's shape: refused unread. */
  | { kind: "malformed" };

/** The longest API key value sent to WorkOS; theirs are tens of characters. */
export const MAX_API_KEY_LENGTH = 512;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// RFC 6750 §2.1 b64token, without dots: a dotted value is a JWT or nothing.
const API_KEY_SHAPE = /^[A-Za-z0-9\-_~+/]{8,}=*$/;

/**
 * The bearer credential of `request`: null without an `Authorization: Bearer` header (the cookie
 * then counts), else what its shape says it is.
 */
export function readBearerCredential(request: Request): BearerCredential | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  // Another scheme (Basic, …) is not ours to judge; the scheme name is case-insensitive.
  if (!/^bearer(\s|$)/i.test(header)) return null;
  const value = header.slice("bearer".length).trim();
  if (value.length <= MAX_BEARER_TOKEN_LENGTH && JWT_SHAPE.test(value)) {
    return { kind: "access_token", value };
  }
  if (value.length <= MAX_API_KEY_LENGTH && API_KEY_SHAPE.test(value)) {
    return { kind: "api_key", value };
  }
  return { kind: "malformed" };
}

/** Resolves a bearer token; never throws. Synchronous on a cache hit. */
export function resolveBearer(token: string, deps: BearerDeps): Resolution | Promise<Resolution> {
  if (token === "") return { kind: "signed-out", clearCookie: false, code: "token_invalid" };
  const cached = deps.cache.get(token, deps.now());
  if (cached) {
    if (deps.revocations.has(cached.sessionId)) {
      deps.cache.delete(token);
      return { kind: "signed-out", clearCookie: false, code: "session_revoked" };
    }
    return { kind: "signed-in", auth: withProfile(token, cached, deps) };
  }
  return verifyBearer(token, deps).catch((error) => {
    const authError = toAuthError(error);
    if (authError.code === "token_invalid" || authError.code === "session_revoked") {
      return { kind: "signed-out", clearCookie: false, code: authError.code };
    }
    // Keys or shared state unreachable: not the client's fault (503), whatever the token.
    return { kind: "unavailable", error: authError };
  });
}

async function verifyBearer(token: string, deps: BearerDeps): Promise<Resolution> {
  const verification = await deps.verify(token, deps.now());
  if (!verification.ok) throw new AuthError("token_invalid", { cause: verification.cause });
  const { claims } = verification;
  await assertNotRevoked(() => deps.revocations.isTokenRevoked(token, claims.sub));
  // Claims that changed at WorkOS since the token was issued (S69): the client gets a fresh one
  // from the access-token route, which refreshes the session first.
  if (tokenFreshness(deps.revocations.userChange(claims.sub), claims.iat) !== "fresh") {
    throw new AuthError("token_invalid");
  }
  const auth = toBearerContext(claims, token, deps.profiles.get(claims.sub, deps.now()));
  deps.cache.set(token, auth, claims.exp * 1000, deps.now());
  return { kind: "signed-in", auth };
}

/** A cached context without a profile gets one as soon as the user's cookie session is seen. */
function withProfile(token: string, cached: AuthContext, deps: BearerDeps): AuthContext {
  if (cached.profileKnown) return cached;
  const profile = deps.profiles.get(cached.user.id, deps.now());
  if (!profile) return cached;
  const auth = freezeDeep({ ...cached, user: profile, profileKnown: true });
  deps.cache.set(token, auth, cached.expiresAt * 1000, deps.now());
  return auth;
}

/**
 * What the token says; the user's profile only when remembered, else just the id (the token
 * carries no email or name).
 */
function toBearerContext(
  claims: AccessTokenClaims,
  token: string,
  profile: SessionUser | undefined,
): AuthContext {
  const user = profile ??
    { id: claims.sub, email: "", firstName: null, lastName: null, profilePictureUrl: null };
  return withAccessCheck({
    ...claimsView(claims, token),
    user,
    impersonator: claims.act?.sub ? { email: claims.act.sub, reason: null } : null,
    credential: "bearer",
    profileKnown: profile !== undefined,
  });
}
