/**
 * The calls the app makes through the WorkOS client: the authorization URL, the code exchange,
 * refresh (plain and into an organization) and the logout URL.
 *
 * v6 cannot send PKCE (`code_challenge` on the URL, `code_verifier` on the exchange),
 * `organization_id` on a refresh or `return_to` on the logout URL: each is added here.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";
import { callWorkOS, classifyUpstreamError } from "./client.ts";

/** The user as stored in the session (camelCase, as the v6 client maps it). */
export interface SessionUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
}

/** What a code exchange or a refresh yields. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
}

/** The result of the code exchange. */
export interface Authentication extends TokenSet {
  user: SessionUser;
  organizationId: string | null;
  impersonator: { email: string; reason: string | null } | null;
}

/** The AuthKit URL to send the browser to, bound to `state` and a PKCE challenge. */
export function createAuthorizationUrl(
  workos: WorkOS,
  config: AuthConfig,
  flow: {
    state: string;
    codeChallenge: string;
    screenHint?: "sign-in" | "sign-up";
    /** Sign in straight into this organization (validated by `hints.ts`). */
    organizationId?: string;
    /** Prefill this email address (validated by `hints.ts`). */
    loginHint?: string;
    /** OIDC `max_age` (seconds): re-authenticate when the last sign-in is older (step-up). */
    maxAge?: number;
    /** This request's callback URL (`requestAppOrigin`), if not the configured one. */
    redirectUri?: string;
  },
): string {
  const url = new URL(workos.userManagement.getAuthorizationUrl({
    provider: "authkit",
    clientId: config.clientId,
    redirectUri: flow.redirectUri ?? config.redirectUri.href,
    state: flow.state,
    screenHint: flow.screenHint,
    organizationId: flow.organizationId,
    loginHint: flow.loginHint,
  }));
  // PKCE even for a confidential client (RFC 9700 §2.1.1); v6 cannot add it itself.
  url.searchParams.set("code_challenge", flow.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  // v6 has no option for it either (v10.6 added `maxAge`).
  if (flow.maxAge !== undefined) url.searchParams.set("max_age", String(flow.maxAge));
  return url.href;
}

/** Exchanges an authorization code (with its PKCE verifier) for the user and tokens. */
export async function exchangeCode(
  workos: WorkOS,
  config: AuthConfig,
  grant: { code: string; codeVerifier: string },
): Promise<Authentication> {
  // v6's authenticateWithCode cannot send `code_verifier`; its generic `post` can.
  const body = await callWorkOS(() =>
    workos.post("/user_management/authenticate", {
      grant_type: "authorization_code",
      client_id: config.clientId,
      client_secret: config.apiKey,
      code: grant.code,
      code_verifier: grant.codeVerifier,
    })
  );
  return parseAuthentication(body);
}

/** Exchanges a refresh token for new tokens. Refresh tokens are single-use. */
export async function refreshTokens(
  workos: WorkOS,
  config: AuthConfig,
  refreshToken: string,
): Promise<TokenSet> {
  const result = await callWorkOS(
    () =>
      workos.userManagement.authenticateWithRefreshToken({
        clientId: config.clientId,
        refreshToken,
      }),
    "refresh_rejected",
  );
  const tokens = parseTokenSet(result);
  if (!tokens) throw new AuthError("upstream_invalid_response");
  return tokens;
}

/**
 * WorkOS error codes (in the body's `code`, or `error` for OAuth-style bodies) that mean the
 * session may not enter the organization until the user signs in again, through the
 * organization's SSO or after setting up MFA (WorkOS "Authentication errors" reference). The
 * remedy is a new AuthKit sign-in with that `organization_id`.
 */
export const REAUTHENTICATION_CODES: ReadonlySet<string> = new Set([
  "sso_required",
  "mfa_enrollment",
  "mfa_challenge",
  "organization_authentication_methods_required",
]);

/**
 * Exchanges a refresh token for tokens scoped to `organizationId` (organization switching). v6's
 * `authenticateWithRefreshToken` cannot send `organization_id`; its generic `post` can.
 * Refresh tokens are single-use: callers share one exchange (see `organizations.ts`).
 */
export async function refreshIntoOrganization(
  workos: WorkOS,
  config: AuthConfig,
  grant: { refreshToken: string; organizationId: string },
): Promise<TokenSet> {
  let response: { data?: unknown };
  try {
    response = await workos.post("/user_management/authenticate", {
      grant_type: "refresh_token",
      client_id: config.clientId,
      client_secret: config.apiKey,
      refresh_token: grant.refreshToken,
      organization_id: grant.organizationId,
    });
  } catch (error) {
    throw classifySwitchError(error);
  }
  const tokens = parseTokenSet(response?.data);
  if (!tokens) throw new AuthError("upstream_invalid_response");
  return tokens;
}

/**
 * A refused organization switch, in order: the organization wants a fresh sign-in; the refresh
 * token is dead (`invalid_grant`, in either body shape: terminal as for any refresh); any other
 * refusal (a 4xx but 401, 408 and 429) is WorkOS refusing this session that organization, while
 * the session itself lives on (its exact answer for a non-member is not documented in what we
 * could read). The rest is transient, as `classifyUpstreamError` says.
 */
function classifySwitchError(error: unknown): AuthError {
  const e = error as { error?: unknown; rawData?: { code?: unknown } } | null;
  const code = typeof e?.rawData?.code === "string" ? e.rawData.code : e?.error;
  if (typeof code === "string" && REAUTHENTICATION_CODES.has(code)) {
    return new AuthError("organization_reauthentication_required", { cause: error });
  }
  const classified = classifyUpstreamError(error, "refresh_rejected");
  if (classified.code === "refresh_rejected" && code !== "invalid_grant") {
    return new AuthError("organization_switch_refused", { cause: error });
  }
  return classified;
}

/** The WorkOS logout URL that ends session `sid` and then returns the browser to `returnTo`. */
export function createLogoutUrl(workos: WorkOS, sid: string, returnTo: URL): string {
  const url = new URL(workos.userManagement.getLogoutUrl({ sessionId: sid }));
  url.searchParams.set("return_to", returnTo.href); // v6 has no option for it
  return url.href;
}

function parseTokenSet(value: unknown): TokenSet | null {
  const v = value as {
    accessToken?: unknown;
    refreshToken?: unknown;
    access_token?: unknown;
    refresh_token?: unknown;
  } | null;
  const accessToken = v?.accessToken ?? v?.access_token;
  const refreshToken = v?.refreshToken ?? v?.refresh_token;
  if (typeof accessToken !== "string" || typeof refreshToken !== "string") return null;
  if (!accessToken || !refreshToken) return null;
  return { accessToken, refreshToken };
}

/** Reads the wire (snake_case) answer of the code exchange; a 200 without tokens is a 502. */
export function parseAuthentication(response: { data?: unknown } | unknown): Authentication {
  const body = (response as { data?: unknown })?.data as Record<string, unknown> | null;
  const tokens = parseTokenSet(body);
  const user = body?.user as Record<string, unknown> | undefined;
  if (!tokens || typeof user?.id !== "string" || typeof user.email !== "string") {
    throw new AuthError("upstream_invalid_response");
  }
  const impersonator = body?.impersonator as { email?: unknown; reason?: unknown } | undefined;
  return {
    ...tokens,
    user: {
      id: user.id,
      email: user.email,
      firstName: stringOrNull(user.first_name),
      lastName: stringOrNull(user.last_name),
      profilePictureUrl: stringOrNull(user.profile_picture_url),
    },
    organizationId: stringOrNull(body?.organization_id),
    impersonator: typeof impersonator?.email === "string"
      ? { email: impersonator.email, reason: stringOrNull(impersonator.reason) }
      : null,
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
