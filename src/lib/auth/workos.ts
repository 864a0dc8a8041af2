/**
 * The one WorkOS client of the process, and the four calls the app makes through it.
 *
 * `@workos-inc/node` v6 lacks three things this app needs, each worked around here and nowhere
 * else: a per-request timeout, PKCE (`code_challenge` on the URL, `code_verifier` on the
 * exchange) and `return_to` on the logout URL.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { AuthConfig } from "./config.ts";
import { AuthError } from "./errors.ts";

/** Every call to WorkOS gives up after this long (SECURITY-CASES S08). */
export const UPSTREAM_TIMEOUT_MS = 5_000;

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

/**
 * Builds the process's WorkOS client, with a timeout on every request it sends. The SDK is
 * imported here, on first use, rather than at start: loading it takes ~65 ms, a third of a cold
 * start (`deno task bench`), and only sign-in, callback, sign-out, refresh and the
 * organization switch need it; a page view only when the user's memberships are not cached.
 */
export async function createWorkOSClient(
  config: AuthConfig,
  timeoutMs = UPSTREAM_TIMEOUT_MS,
): Promise<WorkOS> {
  const { WorkOS } = await import("@workos-inc/node");
  const workos = new WorkOS(config.apiKey, {
    apiHostname: config.apiHostname,
    port: config.apiPort,
    https: config.apiHttps,
  });
  addRequestTimeout(workos, timeoutMs);
  keepRetryAfter(workos);
  return workos;
}

/**
 * v6 copies one `RequestInit` into every `fetch` it makes and offers no per-call signal. A getter
 * on that shared object hands each request a fresh `AbortSignal.timeout()`. The stand-in's
 * "hang" contract test fails if a client upgrade changes this internal shape.
 */
function addRequestTimeout(workos: WorkOS, timeoutMs: number): void {
  const init = (workos as unknown as { client?: { options?: RequestInit } }).client?.options;
  if (!init || typeof init !== "object") {
    throw new Error("Unsupported @workos-inc/node version: cannot attach a request timeout");
  }
  Object.defineProperty(init, "signal", {
    enumerable: true,
    get: () => AbortSignal.timeout(timeoutMs),
  });
}

/** Where `keepRetryAfter` leaves a 429's `Retry-After` (seconds) on the SDK's error data. */
const RETRY_AFTER = Symbol("retryAfterSeconds");
/** The longest `Retry-After` honoured: beyond it, a stuck rate limit should not pin sessions. */
export const MAX_RETRY_AFTER_SECONDS = 30;

/**
 * v6 turns a 429 into a `GenericServerException` and drops the response headers, `Retry-After`
 * among them. Its fetch client is wrapped so the header survives on the response data, which
 * the exception keeps as `rawData`. The stand-in's "rate_limited" contract test fails if a client
 * upgrade changes this internal shape.
 */
function keepRetryAfter(workos: WorkOS): void {
  type FetchError = { response?: { status?: number; headers?: Headers; data?: unknown } };
  const client = (workos as unknown as {
    client?: { fetch?: (...args: unknown[]) => Promise<unknown> };
  }).client;
  const original = client?.fetch;
  if (!client || typeof original !== "function") {
    throw new Error("Unsupported @workos-inc/node version: cannot read Retry-After");
  }
  client.fetch = async (...args) => {
    try {
      return await original.apply(client, args);
    } catch (error) {
      const response = (error as FetchError)?.response;
      const seconds = parseRetryAfter(response?.headers?.get?.("retry-after") ?? null);
      if (response?.status === 429 && seconds !== null && typeof response.data === "object") {
        response.data = { ...response.data, [RETRY_AFTER]: seconds };
      }
      throw error;
    }
  };
}

/** A `Retry-After` in delta-seconds (RFC 9110 §10.2.3), clamped to 1–30 s; dates are ignored. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value || !/^\d{1,6}$/.test(value.trim())) return null;
  return Math.min(Math.max(Number(value), 1), MAX_RETRY_AFTER_SECONDS);
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
  },
): string {
  const url = new URL(workos.userManagement.getAuthorizationUrl({
    provider: "authkit",
    clientId: config.clientId,
    redirectUri: config.redirectUri.href,
    state: flow.state,
    screenHint: flow.screenHint,
    organizationId: flow.organizationId,
    loginHint: flow.loginHint,
  }));
  // PKCE even for a confidential client (RFC 9700 §2.1.1); v6 cannot add it itself.
  url.searchParams.set("code_challenge", flow.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
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

/**
 * The JWKS URL for this client, built as v6's `userManagement.getJwksUrl()` builds it, so that
 * verifying a token never needs the SDK loaded.
 */
export function getJwksUrl(config: AuthConfig): URL {
  return new URL(`${config.apiBaseUrl.origin}/sso/jwks/${config.clientId}`);
}

async function callWorkOS<T>(
  call: () => Promise<T>,
  terminal: "code_rejected" | "refresh_rejected" = "code_rejected",
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyUpstreamError(error, terminal);
  }
}

/**
 * Maps whatever the v6 client throws to an `AuthError`, by HTTP status rather than body shape
 * (S44): WorkOS answers a dead grant with `{"error":"invalid_grant"}` (an `OauthException`), but
 * WorkOS-compatible servers answer `{"code":"invalid_grant"}` (a `GenericServerException`), and
 * reading only the first shape turned a dead session into weeks of 503 pages.
 */
export function classifyUpstreamError(
  error: unknown,
  terminal: "code_rejected" | "refresh_rejected" = "code_rejected",
): AuthError {
  const e = error as { name?: unknown; status?: unknown } | null;
  if (e?.name === "TimeoutError") return new AuthError("upstream_timeout", { cause: error });
  if (typeof e?.status === "number" && isTerminalStatus(e.status)) {
    return new AuthError(terminal, { cause: error });
  }
  // 408, 429, 5xx, an HTML proxy page surfacing as `SyntaxError`, network errors: transient.
  const retryAfter = (e as { rawData?: Record<symbol, unknown> })?.rawData?.[RETRY_AFTER];
  return new AuthError("upstream_unavailable", {
    cause: error,
    retryAfterSeconds: typeof retryAfter === "number" ? retryAfter : undefined,
  });
}

/**
 * Whether WorkOS refused the grant itself: any 4xx except 408 (timeout) and 429 (rate limit),
 * which say nothing about the grant, and 401, which says our API key is wrong: an operator's
 * mistake that must not sign every user out.
 */
export function isTerminalStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
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
