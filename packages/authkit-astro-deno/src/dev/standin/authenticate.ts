/**
 * `POST /user_management/authenticate`: the code and refresh-token grants, with WorkOS's status
 * codes and error bodies so the v6 SDK throws the same exceptions it would in production.
 *
 * @module
 */
import { base64url } from "jose";
import { jsonResponse } from "./http.ts";
import { findMembership } from "./seed.ts";
import {
  authenticationResponse,
  peekRefreshToken,
  type StandInState,
  startSession,
  takeCode,
  takeRefreshToken,
} from "./state.ts";

/** How long a code may wait for its exchange (WorkOS: about ten minutes). */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

// RFC 7636 §4.1: 43–128 characters from the unreserved set.
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Exchanges a code or a refresh token for a session's tokens. */
export async function handleAuthenticate(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  const body = await request.json().catch(() => undefined);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return oauthError("invalid_request", "The body must be a JSON object.");
  }
  if (body.client_id !== standIn.clientId || body.client_secret !== standIn.apiKey) {
    return jsonResponse(401, { message: "Unauthorized" });
  }
  switch (body.grant_type) {
    case "authorization_code":
      return await exchangeCode(standIn, body);
    case "refresh_token":
      return await exchangeRefreshToken(standIn, body);
    default:
      return oauthError("unsupported_grant_type", "The grant_type is not supported.");
  }
}

async function exchangeCode(
  standIn: StandInState,
  body: Record<string, unknown>,
): Promise<Response> {
  // RFC 6749 §4.1.2: a code is good for one attempt, so a failed check below spends it too.
  const grant = typeof body.code === "string" ? takeCode(standIn, body.code) : undefined;
  if (!grant) return oauthError("invalid_grant", "The code is invalid or has already been used.");
  if (standIn.now() - grant.createdAtMs >= CODE_LIFETIME_MS) {
    return oauthError("invalid_grant", "The code has expired.");
  }
  if (grant.clientId !== body.client_id) {
    return oauthError("invalid_grant", "The code was issued to another client.");
  }
  const pkceProblem = await checkCodeVerifier(grant.codeChallenge, body.code_verifier);
  if (pkceProblem) return oauthError("invalid_grant", pkceProblem);
  // The sign-in the code recorded: who, how, when they authenticated, from which browser.
  const { userId, authenticationMethod, impersonator, organizationId } = grant;
  const { authTime, ipAddress, userAgent } = grant;
  return jsonResponse(
    200,
    await startSession(standIn, {
      userId,
      authenticationMethod,
      impersonator,
      organizationId,
      authTime,
      ipAddress,
      userAgent,
    }),
  );
}

async function exchangeRefreshToken(
  standIn: StandInState,
  body: Record<string, unknown>,
): Promise<Response> {
  const token = typeof body.refresh_token === "string" ? body.refresh_token : undefined;
  const organizationId = body.organization_id;
  // Organization switching: checked before the token is spent, so a refused switch leaves the
  // session as it was. WorkOS's exact answer for a non-member is not documented in what we could
  // read; a 403 that is not `invalid_grant` keeps that case apart from a dead session.
  if (organizationId !== undefined) {
    const current = token === undefined ? undefined : peekRefreshToken(standIn, token);
    if (
      current && (typeof organizationId !== "string" ||
        !findMembership(standIn.seed, current.userId, organizationId))
    ) {
      return jsonResponse(403, {
        code: "organization_membership_required",
        message: "The user is not a member of the organization.",
      });
    }
  }
  // Rotation: the token is spent now, and the response carries its successor.
  const session = token === undefined ? undefined : takeRefreshToken(standIn, token);
  if (!session) {
    return oauthError("invalid_grant", "The refresh token is invalid or has already been used.");
  }
  if (typeof organizationId === "string") session.organizationId = organizationId;
  return jsonResponse(200, await authenticationResponse(standIn, session));
}

/** Why the verifier fails the code's PKCE challenge, or `undefined` when it passes. */
async function checkCodeVerifier(
  challenge: string | undefined,
  verifier: unknown,
): Promise<string | undefined> {
  // RFC 9700 §4.8.2 (PKCE downgrade): a verifier sent for a code issued without a challenge is
  // rejected, so dropping the challenge from the authorize request cannot bypass PKCE.
  if (challenge === undefined) {
    return verifier === undefined ? undefined : "The code was issued without a code_challenge.";
  }
  if (typeof verifier !== "string" || !CODE_VERIFIER.test(verifier)) {
    return "The code_verifier is missing or malformed.";
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  if (base64url.encode(new Uint8Array(digest)) !== challenge) {
    return "The code_verifier does not match the code_challenge.";
  }
  return undefined;
}

function oauthError(error: string, description: string): Response {
  return jsonResponse(400, { error, error_description: description });
}
