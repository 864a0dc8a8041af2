/**
 * `POST /auth/switch-organization`: re-scopes the session to another of the user's organizations
 * through a refresh with `organization_id`. That refresh spends the session's refresh token, so it
 * goes through the same cross-instance claim as every refresh (S55): one exchange per token, a
 * refusal remembered, and a switch racing a refresh continues from the refresh's new session.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { ExpiringLru } from "../core/cache.ts";
import type { AuthConfig } from "../core/config.ts";

import { readBoundedForm } from "../core/body.ts";
import { AuthError, toAuthError } from "../core/errors.ts";
import { failure, redirect } from "../core/responses.ts";
import { isOrganizationId } from "../core/hints.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import type { MembershipCache, OrganizationMembership } from "./memberships.ts";
import type { ExchangeOnce } from "../shared-state/refresh.ts";
import type { AuthContext } from "../session/resolve.ts";
import { requestAppOrigin } from "../core/redirect-origins.ts";
import { safeReturnTo } from "../core/return-to.ts";
import { createSessionCookie, openSession, type Session } from "../session/session.ts";
import {
  clearSessionCookies,
  readSessionCookie,
  type SessionCookie,
  sessionCookieHeaders,
} from "../session/session-cookie.ts";
import type { Revocations } from "../shared-state/revocations.ts";
import type { TokenVerifier } from "../workos/tokens.ts";
import { refreshIntoOrganization } from "../workos/calls.ts";

const SWITCH_ROUTE = "/auth/switch-organization";

/** What the switch needs; built once per process in `auth.ts`. */
export interface SwitchDeps {
  config: AuthConfig;
  verify: TokenVerifier;
  now: () => number;
  memberships: MembershipCache;
  /** Moves `session` into an organization through the refresh claim (`createSwitchInto`). */
  switchInto: (session: Session, organizationId: string) => Promise<SwitchedSession>;
  /** The verified-session cache: the old seal's entry is dropped after a switch. */
  sessions: ExpiringLru<AuthContext>;
  /** A session signed out or revoked on any instance cannot be switched (S39, S40). */
  revocations: Revocations;
}

/** A session moved into an organization, sealed as the cookie will carry it. */
export interface SwitchedSession {
  sealed: string;
  session: Session;
}

/** What `createSwitchInto` needs. */
export interface SwitchIntoDeps {
  config: AuthConfig;
  /** The client for token exchanges (its timeout lets a late answer land, S58). */
  workos: () => Promise<WorkOS>;
  verify: TokenVerifier;
  now: () => number;
  exchangeOnce: ExchangeOnce;
}

/**
 * Builds `switchInto(session, organizationId)`. The token is spent through the refresh claim; if
 * that claim's outcome is not a session in the organization asked for (a refresh, or a switch to
 * another organization, spent the token first), the switch continues from that outcome's session
 * with its new refresh token, so nobody is signed out by the race (S55).
 */
export function createSwitchInto(
  deps: SwitchIntoDeps,
): (session: Session, organizationId: string) => Promise<SwitchedSession> {
  return async (session, organizationId) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const sealed = await deps.exchangeOnce(session, (s) => exchangeInto(s, organizationId, deps));
      const opened = await openSession(sealed, deps.config, deps.now());
      if (!opened) throw new AuthError("session_invalid");
      if (opened.value.organizationId === organizationId) return { sealed, session: opened.value };
      session = opened.value;
    }
    throw new AuthError("refresh_pending"); // switches racing each other: transient, try again
  };
}

/**
 * Spends `session`'s refresh token for tokens scoped to `organizationId`, and seals the result.
 * No session from a token that does not verify, names another user or another organization.
 */
async function exchangeInto(
  session: Session,
  organizationId: string,
  deps: SwitchIntoDeps,
): Promise<string> {
  const tokens = await refreshIntoOrganization(await deps.workos(), deps.config, {
    refreshToken: session.refreshToken,
    organizationId,
  });
  const verification = await deps.verify(tokens.accessToken, deps.now());
  if (
    !verification.ok || verification.claims.sub !== session.user.id ||
    verification.claims.org_id !== organizationId
  ) {
    throw new AuthError("upstream_invalid_response");
  }
  // Built as a refresh builds it: the stored user is kept.
  const switched: Session = { ...session, ...tokens, organizationId };
  return (await createSessionCookie(switched, deps.config, deps.now())).sealed;
}

/**
 * `POST /auth/switch-organization` (form fields `organizationId`, optional `returnTo`). Same-origin
 * only (S51); the target must be one of the user's active memberships, checked before WorkOS is
 * asked for tokens (S50). On success the session is re-sealed and the browser sent (303) to
 * `returnTo` or `/dashboard`.
 */
export async function handleSwitchOrganization(
  request: Request,
  deps: SwitchDeps,
): Promise<Response> {
  // A cross-site form could otherwise move a user into another organization unawares (S51).
  if (request.headers.get("origin") !== requestAppOrigin(request, deps.config)) {
    return failure(new AuthError("origin_rejected"), SWITCH_ROUTE);
  }
  let form: FormData | null;
  try {
    form = await readBoundedForm(request); // before anything else: 413, nothing buffered (S52)
  } catch (error) {
    return failure(error, SWITCH_ROUTE);
  }
  const organizationId = form?.get("organizationId");
  const returnTo = safeReturnTo(stringOrNull(form?.get("returnTo")), deps.config.routes);

  const cookie = readSessionCookie(request, deps.config);
  const opened = cookie?.seal ? await openSession(cookie.seal, deps.config, deps.now()) : null;
  let revoked = false;
  try {
    revoked = opened !== null && await deps.revocations.isTokenRevoked(opened.value.accessToken);
  } catch (error) {
    // Transient: the session is kept, and nothing is switched.
    return failure(new AuthError("shared_state_unavailable", { cause: error }), SWITCH_ROUTE);
  }
  if (!opened || revoked) {
    // Signed out (or the seal expired): sign in, straight into the organization asked for.
    const clear = cookie ? clearSessionCookies(deps.config, cookie.chunks) : [];
    return seeOther(signInLocation(deps.config.routes.signIn, returnTo, organizationId), clear);
  }
  if (!isOrganizationId(organizationId)) {
    return failure(new AuthError("organization_invalid"), SWITCH_ROUTE);
  }
  const session = opened.value;
  let memberships: OrganizationMembership[];
  try {
    memberships = await deps.memberships.load(session.user.id);
  } catch (error) {
    return failure(error, SWITCH_ROUTE); // transient: the session is kept
  }
  if (!memberships.some((m) => m.organizationId === organizationId)) {
    return failure(new AuthError("organization_invalid"), SWITCH_ROUTE); // S50
  }
  return await switchSession(cookie!, session, organizationId, returnTo, deps);
}

async function switchSession(
  cookie: SessionCookie,
  session: Session,
  organizationId: string,
  returnTo: string,
  deps: SwitchDeps,
): Promise<Response> {
  let switched: SwitchedSession;
  try {
    switched = await deps.switchInto(session, organizationId);
  } catch (error) {
    const authError = toAuthError(error);
    if (authError.code === "organization_reauthentication_required") {
      // SSO or MFA for that organization: AuthKit can do it, with this organization preselected.
      logAuthFailure(authError, SWITCH_ROUTE, createRequestId());
      return seeOther(signInLocation(deps.config.routes.signIn, returnTo, organizationId), []);
    }
    if (authError.code === "refresh_rejected") {
      // The session is over, as when a refresh is refused: clear it and sign in again.
      logAuthFailure(authError, SWITCH_ROUTE, createRequestId());
      return seeOther(
        signInLocation(deps.config.routes.signIn, returnTo),
        clearSessionCookies(deps.config, cookie.chunks),
      );
    }
    if (authError.code === "session_too_large") {
      // Its refresh token is spent: the old cookie goes with the explanation (S43).
      const response = failure(authError, SWITCH_ROUTE);
      for (const c of clearSessionCookies(deps.config, cookie.chunks)) {
        response.headers.append("set-cookie", c);
      }
      return response;
    }
    // Transient (the exchange may still land, for the old cookie's next request) or refused:
    // the session is kept.
    return failure(authError, SWITCH_ROUTE);
  }
  const headers = sessionCookieHeaders(switched.sealed, deps.config, {
    maxAgeSeconds: switched.session.expiresAt - Math.floor(deps.now() / 1000),
    previousChunks: cookie.chunks,
  });
  // The old seal's refresh token is spent; its cached view would still show the old organization.
  deps.sessions.delete(cookie.seal!);
  deps.memberships.drop(session.user.id);
  return seeOther(returnTo, headers);
}

/** The sign-in route, coming back to `returnTo`, into `organizationId` when it is well-formed. */
function signInLocation(signInPath: string, returnTo: string, organizationId?: unknown): string {
  const params = new URLSearchParams({ returnTo });
  if (isOrganizationId(organizationId)) params.set("organizationId", organizationId);
  return `${signInPath}?${params}`;
}

/** A 303: the browser follows a POST's answer with a GET. */
function seeOther(location: string, cookies: string[]): Response {
  return redirect(location, cookies, 303);
}

function stringOrNull(value: FormDataEntryValue | null | undefined): string | null {
  return typeof value === "string" ? value : null;
}
