/**
 * Access-token verification with jose against WorkOS's JWKS, fetched once and cached for the
 * process (the tutorial built a JWKS client per request: one network round trip per page view).
 *
 * @module
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors,
  type FlattenedJWSInput,
  type JWTHeaderParameters,
  jwtVerify,
} from "jose";
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";

/** Accepted clock skew between WorkOS and this server (S27). */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** At most one JWKS re-fetch for an unknown `kid` per this window (S28). */
export const JWKS_COOLDOWN_MS = 30_000;
/**
 * The oldest access token accepted, by its `iat`: the longest any token can live here, and so how
 * long a revoked session id must be remembered.
 */
export const MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;
/** Keys are re-fetched after this long even when nothing changed. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5_000;

/** The claims WorkOS puts in an access token. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  sid: string;
  exp: number;
  iat?: number;
  jti?: string;
  org_id?: string;
  role?: string;
  roles?: string[];
  permissions?: string[];
  entitlements?: string[];
  feature_flags?: string[];
  /** Present while an admin impersonates the user. */
  act?: { sub: string };
  /** When the user last authenticated (Unix seconds); a refresh keeps it. */
  auth_time?: number;
}

/** A verified token, or why it is not one. `expired` still had a valid signature. */
export type Verification =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: "expired" | "invalid"; cause: unknown };

/** Verifies access tokens; throws `AuthError("jwks_unavailable")` when keys cannot be had. */
export type TokenVerifier = (token: string, now?: number) => Promise<Verification>;

/** Options for tests and special deployments. */
export interface VerifierOptions {
  fetch?: typeof fetch;
  /** How long a JWKS fetch may take; defaults to 5 s. */
  timeoutMs?: number;
}

/** Builds the process's verifier: one JWKS cache, RS256 only, issuer and claims checked. */
export function createTokenVerifier(
  config: AuthConfig,
  jwksUrl: URL,
  options: VerifierOptions = {},
): TokenVerifier {
  const remote = createRemoteJWKSet(jwksUrl, {
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    timeoutDuration: options.timeoutMs ?? JWKS_TIMEOUT_MS,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  const keys = withStaleKeysOnOutage(remote);

  return async function verifyAccessToken(token, now = Date.now()) {
    // jose re-fetches the JWKS for an unknown `kid` at most once per cooldown (S28). An unknown
    // `kid` while cooling down is most likely a key WorkOS just published (S29): transient, not
    // a reason to sign the user out. One seen right after a fresh fetch is simply unknown.
    const couldNotRefetch = remote.coolingDown;
    try {
      const { payload } = await jwtVerify(token, keys, {
        // Pinning the algorithm rejects `none`, and HS256 signed with the public key, before any
        // key is fetched (RFC 8725 §3.1).
        algorithms: ["RS256"],
        issuer: config.issuers,
        requiredClaims: ["exp", "sub", "sid"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // Bounds `iat` from both sides: a token "issued" in the future is refused.
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        currentDate: new Date(now),
      });
      if (typeof payload.sid !== "string" || payload.sid === "") {
        return { ok: false, reason: "invalid", cause: new Error("sid is not a string") };
      }
      return { ok: true, claims: payload as unknown as AccessTokenClaims };
    } catch (error) {
      if (isKeySetUnavailable(error)) throw new AuthError("jwks_unavailable", { cause: error });
      if (error instanceof errors.JWKSNoMatchingKey && couldNotRefetch) {
        throw new AuthError("jwks_unavailable", { cause: error });
      }
      const reason = error instanceof errors.JWTExpired ? "expired" : "invalid";
      return { ok: false, reason, cause: error };
    }
  };
}

type KeyFunction = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/**
 * When a scheduled re-fetch fails, keep verifying with the keys already held rather than
 * signing everybody out during a WorkOS outage (S32, warm cache). Unknown keys still fail. After
 * a failure, the held keys are used without asking again for one cooldown window, so an outage
 * costs one timeout per window, not one per request.
 */
function withStaleKeysOnOutage(remote: ReturnType<typeof createRemoteJWKSet>): KeyFunction {
  let failedAt = -Infinity;
  return async (header, token) => {
    const cached = remote.jwks();
    if (cached && Date.now() - failedAt < JWKS_COOLDOWN_MS) {
      return await createLocalJWKSet(cached)(header, token);
    }
    try {
      return await remote(header, token);
    } catch (error) {
      if (!isKeySetUnavailable(error) || !cached) throw error;
      failedAt = Date.now();
      return await createLocalJWKSet(cached)(header, token);
    }
  };
}

/** Failures to obtain the key set (network, timeout, non-200, bad JSON), as opposed to bad tokens. */
function isKeySetUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === "ERR_JOSE_GENERIC";
  return error instanceof TypeError; // fetch's network failure
}

/**
 * The session id (`sid`) of a token taken from our own seal, without verifying it: an expired
 * token must still name its session, to sign out or to check a revocation. Null if unreadable.
 */
export function readSessionId(accessToken: string): string | null {
  try {
    const { sid } = decodeJwt(accessToken);
    return typeof sid === "string" && sid !== "" ? sid : null;
  } catch {
    return null;
  }
}
