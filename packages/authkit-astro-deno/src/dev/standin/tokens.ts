/**
 * Signing keys, the JWKS document and access tokens shaped like WorkOS's (RS256, `kid` header,
 * the claims listed in WORKOS-CONTRACT.md).
 *
 * @module
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { ResolvedMembership } from "./seed.ts";

/** One RS256 key pair; only the public half ever leaves this module. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** What an access token says about its session. */
export interface AccessTokenInput {
  issuer: string;
  nowSeconds: number;
  ttlSeconds: number;
  sessionId: string;
  userId: string;
  membership?: ResolvedMembership;
  /** The admin's email while impersonating (RFC 8693 `act` claim). */
  actor?: string;
  /** When the user last authenticated (Unix seconds), kept across refreshes. */
  authTime: number;
}

/** The alphabet of WorkOS's ULID-style ids. */
export const CROCKFORD_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A WorkOS-looking id: `prefix_` and 26 ULID-style characters (random, not time-ordered). */
export function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}_01${Array.from(bytes, (byte) => CROCKFORD_BASE32[byte & 31]).join("")}`;
}

/** Generates a key pair with a fresh `kid`. */
export async function generateSigningKey(): Promise<SigningKey> {
  // Web Crypto public keys are always exportable, so the private half can stay non-extractable.
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = randomId("sso_oidc_key_pair");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

/** Signs an access token with `key`. */
export function signAccessToken(key: SigningKey, input: AccessTokenInput): Promise<string> {
  return new SignJWT(accessTokenClaims(input))
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
    .setIssuer(input.issuer)
    .setSubject(input.userId)
    .setJti(randomId("jti"))
    .setIssuedAt(input.nowSeconds)
    .setExpirationTime(input.nowSeconds + input.ttlSeconds)
    .sign(key.privateKey);
}

function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
  const claims: Record<string, unknown> = { sid: input.sessionId, auth_time: input.authTime };
  // Like WorkOS, a user outside any organization gets no organization-scoped claims at all.
  if (input.membership) {
    const { organization, role } = input.membership;
    Object.assign(claims, {
      org_id: organization.id,
      role: role.slug,
      roles: [role.slug],
      permissions: role.permissions,
      entitlements: organization.entitlements,
      feature_flags: organization.featureFlags,
    });
  }
  if (input.actor) claims.act = { sub: input.actor };
  return claims;
}
