/**
 * The three auth routes as plain `Request → Response` functions: sign-in, callback, sign-out.
 * Astro route files only call these, so tests can too, without Astro.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { AuthConfig } from "./config.ts";
import { deleteCookie, readCookie, SESSION_COOKIE, setCookie, STATE_COOKIE } from "./cookies.ts";
import { AuthError, renderErrorPage, toAuthError } from "./errors.ts";
import { readSignInHints } from "./hints.ts";
import { createRequestId, logAuthFailure } from "./log.ts";
import { safeReturnTo } from "./return-to.ts";
import { createSession, createSessionCookie, openSession } from "./session.ts";
import {
  createCodeChallenge,
  createSignInState,
  openSignInState,
  sealSignInState,
  STATE_TTL_SECONDS,
  statesMatch,
} from "./state.ts";
import type { Revocations } from "./revocations.ts";
import { readSessionId, type TokenVerifier } from "./tokens.ts";
import {
  classifyUpstreamError,
  createAuthorizationUrl,
  createLogoutUrl,
  exchangeCode,
} from "./workos.ts";

/** What the flows need; built once per process in `auth.ts`. */
export interface FlowDeps {
  config: AuthConfig;
  /** Loaded on first use: a page view needs the SDK only to list memberships (cached). */
  workos: () => Promise<WorkOS>;
  verify: TokenVerifier;
  revocations: Revocations;
  now: () => number;
}

/** `GET /sign-in` and `GET /sign-up`: start a flow bound to this browser, then go to AuthKit. */
export async function handleSignIn(
  request: Request,
  deps: FlowDeps,
  screenHint: "sign-in" | "sign-up" = "sign-in",
): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const returnTo = safeReturnTo(params.get("returnTo"));
  const flow = createSignInState(returnTo);
  const location = createAuthorizationUrl(await deps.workos(), deps.config, {
    state: flow.state,
    codeChallenge: await createCodeChallenge(flow.codeVerifier),
    screenHint,
    ...readSignInHints(params), // `?organizationId=` and `?loginHint=`, if well-formed
  });
  const stateCookie = await sealSignInState(flow, deps.config);
  return redirect(location, [
    setCookie(deps.config, STATE_COOKIE, stateCookie, STATE_TTL_SECONDS),
  ]);
}

/**
 * `GET /auth/callback`: check the flow, exchange the code, seal the session. The state cookie is
 * cleared on every outcome, so a callback URL works once (S06).
 */
export async function handleCallback(request: Request, deps: FlowDeps): Promise<Response> {
  const clearState = deleteCookie(deps.config, STATE_COOKIE);
  try {
    const returnTo = await completeSignIn(request, deps);
    const response = redirect(returnTo.location, [clearState, returnTo.sessionCookie]);
    // The callback URL carries the code: never leak it onward in a Referer (S11).
    response.headers.set("referrer-policy", "no-referrer");
    return response;
  } catch (error) {
    const response = failure(error, "/auth/callback", { restartSignIn: true });
    response.headers.append("set-cookie", clearState);
    response.headers.set("referrer-policy", "no-referrer");
    return response;
  }
}

async function completeSignIn(request: Request, deps: FlowDeps) {
  const params = new URL(request.url).searchParams;
  // `error_description` is attacker-influenced text: it is never shown or logged (S05).
  if (params.has("error")) throw new AuthError("authorization_denied");
  const sealedState = readCookie(request, STATE_COOKIE);
  const flow = sealedState ? await openSignInState(sealedState, deps.config) : null;
  if (!flow) throw new AuthError("state_missing");
  if (!statesMatch(flow.state, params.get("state"))) throw new AuthError("state_mismatch");
  const code = params.get("code");
  if (!code) throw new AuthError("code_missing");

  const authentication = await exchangeCode(await deps.workos(), deps.config, {
    code,
    codeVerifier: flow.codeVerifier,
  });
  // No session unless the token verifies and names the same user (fail closed).
  const verification = await deps.verify(authentication.accessToken, deps.now());
  if (!verification.ok || verification.claims.sub !== authentication.user.id) {
    throw new AuthError("upstream_invalid_response");
  }
  const session = createSession(authentication, deps.config, deps.now());
  const { header } = await createSessionCookie(session, deps.config, deps.now());
  return { location: flow.returnTo, sessionCookie: header };
}

/**
 * `POST /sign-out`: end the session everywhere, clear the cookie, then send the browser through
 * WorkOS's logout URL back to `/`. Only same-origin posts are honoured (S33): a cross-site form
 * could otherwise sign users out.
 */
export async function handleSignOut(request: Request, deps: FlowDeps): Promise<Response> {
  const appOrigin = deps.config.redirectUri.origin;
  if (request.headers.get("origin") !== appOrigin) {
    return failure(new AuthError("origin_rejected"), "/sign-out");
  }
  const clearSession = deleteCookie(deps.config, SESSION_COOKIE);
  const sid = await readRequestSessionId(request, deps);
  if (!sid) return redirect("/", [clearSession]);
  await endSessionEverywhere(sid, deps);
  // The browser's trip through the hosted logout URL still matters: it ends AuthKit's own
  // session on WorkOS's domain, so the next sign-in asks for credentials again.
  const location = createLogoutUrl(await deps.workos(), sid, new URL("/", appOrigin));
  return redirect(location, [clearSession]);
}

/**
 * Ends session `sid` without relying on the browser (S39): at WorkOS, so its refresh token dies
 * even if the logout redirect is never followed, and in shared state, so every instance refuses
 * the old cookie within a poll interval. Neither failure blocks sign-out; both are logged.
 */
async function endSessionEverywhere(sid: string, deps: FlowDeps): Promise<void> {
  const atWorkOS = deps.workos()
    .then((workos) => workos.userManagement.revokeSession({ sessionId: sid }))
    .catch((error) => logSignOutProblem(classifyUpstreamError(error)));
  const everywhere = deps.revocations.revoke(sid)
    .catch((error) =>
      logSignOutProblem(new AuthError("shared_state_unavailable", { cause: error }))
    );
  await Promise.all([atWorkOS, everywhere]);
}

function logSignOutProblem(error: AuthError): void {
  logAuthFailure(error, "/sign-out", createRequestId());
}

/**
 * The WorkOS session id of the request's session, if any. The token is only decoded, not
 * verified: it came out of our own seal, and an expired token must still allow signing out.
 */
async function readRequestSessionId(request: Request, deps: FlowDeps): Promise<string | null> {
  const cookie = readCookie(request, SESSION_COOKIE);
  const opened = cookie ? await openSession(cookie, deps.config, deps.now()) : null;
  return opened ? readSessionId(opened.value.accessToken) : null;
}

/** A redirect (302 unless told) that no cache may keep, with the given `Set-Cookie` values. */
export function redirect(location: string, cookies: string[], status = 302): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status, headers });
}

/** Logs the failure's code and answers with the generic page for it. */
export function failure(
  error: unknown,
  route: string,
  options: { restartSignIn?: boolean } = {},
): Response {
  const authError = toAuthError(error);
  const requestId = createRequestId();
  logAuthFailure(authError, route, requestId);
  return renderErrorPage(authError.code, requestId, options);
}
