/**
 * The signed-in user as pages see it (`Astro.locals.auth`): what a verified access token says,
 * with `has()` and `isRecent()` over those claims, frozen once. Shared by the cookie path
 * (`resolve.ts`) and the bearer path (`bearer.ts`).
 *
 * @module
 */
import { freezeDeep } from "../core/freeze.ts";
import type { AccessTokenClaims } from "../workos/tokens.ts";
import { type AccessCheck, hasAccess } from "./access.ts";
import { isRecent } from "./recent-auth.ts";
import type { Session } from "./session.ts";

/** The signed-in user as pages see it (`Astro.locals.auth`). */
export interface AuthContext {
  user: Session["user"];
  sessionId: string;
  organizationId: string | null;
  role: string | null;
  roles: string[];
  permissions: string[];
  entitlements: string[];
  featureFlags: string[];
  /** Set while an admin is signed in as this user. */
  impersonator: { email: string; reason: string | null } | null;
  accessToken: string;
  /** Whether the verified token grants a role, permission, entitlement or feature flag. */
  has(check: AccessCheck): boolean;
  /**
   * Whether the user signed in within the last `maxAgeSeconds` (the token's `auth_time`); false
   * when the token does not say, or says a time in the future (S59).
   */
  isRecent(maxAgeSeconds: number): boolean;
  /**
   * The verified access token's payload, as WorkOS signed it: the standard claims and any custom
   * ones a JWT template adds. Frozen with the rest; type custom claims through `App.CustomClaims`.
   */
  claims: Readonly<AccessTokenClaims & Record<string, unknown>>;
  /** The access token's `exp` (Unix seconds). */
  expiresAt: number;
  /**
   * When the user last authenticated (`auth_time`, Unix seconds; kept across refreshes), or null
   * when the token does not say: `isRecent` then fails closed.
   */
  authTime: number | null;
  /**
   * How the request proved the session: the `wos-session` cookie, or an `Authorization: Bearer`
   * access token (API routes only, see `bearer.ts`), whose `user` carries only the id unless the
   * profile is remembered from the user's cookie session (`profileKnown`).
   */
  credential: "cookie" | "bearer";
  /** False only for a bearer request whose user this process has not seen signed in lately. */
  profileKnown: boolean;
}

/**
 * Adds `has()` to a context, over its own claims, and freezes it deeply, once: a cache hit hands
 * every request this same object (S48).
 */
export function withAccessCheck(context: Omit<AuthContext, "has" | "isRecent">): AuthContext {
  return freezeDeep({
    ...context,
    has: (check: AccessCheck) => hasAccess(context, check),
    isRecent: (maxAgeSeconds: number) => isRecent(context.authTime, maxAgeSeconds, Date.now()),
  });
}

/** What a verified token itself says, shared by the cookie and the bearer paths. */
export function claimsView(claims: AccessTokenClaims, accessToken: string) {
  return {
    sessionId: claims.sid,
    organizationId: claims.org_id ?? null,
    role: claims.role ?? null,
    roles: stringArray(claims.roles),
    permissions: stringArray(claims.permissions),
    entitlements: stringArray(claims.entitlements),
    featureFlags: stringArray(claims.feature_flags),
    accessToken,
    claims: claims as AccessTokenClaims & Record<string, unknown>,
    expiresAt: claims.exp,
    authTime: Number.isSafeInteger(claims.auth_time) ? claims.auth_time! : null,
  };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}
