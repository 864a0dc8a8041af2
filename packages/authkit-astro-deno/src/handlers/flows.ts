/**
 * The three auth routes as plain `Request → Response` functions: sign-in, callback, sign-out.
 * Astro route files only call these, so tests can too, without Astro.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { AuthConfig } from "../core/config.ts";
import { deleteCookie, readCookie, setCookie } from "../session/cookies.ts";
import { readBoundedForm } from "../core/body.ts";
import { AuthError, toAuthError } from "../core/errors.ts";
import { readSignInHints } from "../core/hints.ts";
import { addVaryCookie, failure, redirect } from "../core/responses.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { requestAppOrigin } from "../core/redirect-origins.ts";
import { safeReturnTo } from "../core/return-to.ts";
import {
  createSession,
  createSessionCookie,
  openSession,
  type Session,
} from "../session/session.ts";
import { clearSessionCookies, readSessionCookie } from "../session/session-cookie.ts";
import {
  createCodeChallenge,
  createSignInState,
  openSignInState,
  pendingStateCookies,
  sealSignInState,
  STATE_TTL_SECONDS,
  stateCookieName,
  stateCookiesToEvict,
  statesMatch,
} from "../session/state.ts";
import type { Revocations } from "../shared-state/revocations.ts";
import { readSessionId, type TokenVerifier } from "../workos/tokens.ts";
import { classifyUpstreamError } from "../workos/client.ts";
import { createAuthorizationUrl, createLogoutUrl, exchangeCode } from "../workos/calls.ts";
import { type AuthHooks, readAppState, startSignOutHook } from "../hooks/sign-in-hooks.ts";
import { answerWithRefusal, askOnSignIn } from "../hooks/callback-hook.ts";

/** What the flows need; built once per process in `auth.ts`. */
export interface FlowDeps {
  config: AuthConfig;
  /** Loaded on first use: a page view needs the SDK only to list memberships (cached). */
  workos: () => Promise<WorkOS>;
  verify: TokenVerifier;
  revocations: Revocations;
  now: () => number;
  /** The app's `onSignIn`/`onSignOut` (S70); none by default. */
  hooks?: AuthHooks;
  /** Bound on each hook (default: the hooks module's). */
  hookTimeoutMs?: number;
  /** Where started `onSignOut` runs are kept until they settle (`Auth.hooksSettled`). */
  pendingHooks?: Set<Promise<void>>;
}

/** `GET /sign-in` and `GET /sign-up`: start a flow bound to this browser, then go to AuthKit. */
export async function handleSignIn(
  request: Request,
  deps: FlowDeps,
  screenHint: "sign-in" | "sign-up" = "sign-in",
): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const returnTo = safeReturnTo(params.get("returnTo"), deps.config.routes);
  let appState: string | null;
  try {
    appState = readAppState(params); // the app's own `?state=`, bounded (S70)
  } catch (error) {
    return failure(error, "/sign-in");
  }
  const flow = createSignInState(returnTo, appState);
  const location = createAuthorizationUrl(await deps.workos(), deps.config, {
    state: flow.state,
    codeChallenge: await createCodeChallenge(flow.codeVerifier),
    screenHint,
    ...readSignInHints(params), // `?organizationId=` and `?loginHint=`, if well-formed
    // A preview deployment's own callback, when its origin is allowed; never a forged Host (S71).
    redirectUri: new URL(deps.config.routes.callback, requestAppOrigin(request, deps.config)).href,
  });
  const stateCookie = await sealSignInState(flow, deps.config);
  const name = await stateCookieName(deps.config, flow.state);
  // Other flows in progress keep their cookies (S46), up to a bound.
  const evicted = stateCookiesToEvict(pendingStateCookies(request, deps.config));
  return redirect(location, [
    setCookie(deps.config, name, stateCookie, STATE_TTL_SECONDS),
    ...evicted.map((stale) => deleteCookie(deps.config, stale)),
  ]);
}

/**
 * `GET /auth/callback`: check the flow, exchange the code, seal the session. The flow's state
 * cookie is cleared on every outcome, so a callback URL works once (S06); other flows in progress
 * keep theirs (S46), so a forged callback cannot cancel a real sign-in.
 */
export async function handleCallback(request: Request, deps: FlowDeps): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const state = params.get("state");
  const stateName = state ? await stateCookieName(deps.config, state) : null;
  const sealedState = stateName ? readCookie(request, stateName) : undefined;
  const clearState = sealedState ? [deleteCookie(deps.config, stateName!)] : [];
  try {
    const returnTo = await completeSignIn(request, params, sealedState, deps);
    // The app's `onSignIn` answered for itself: its answer, the flow over, no session (S70).
    if (returnTo.refusal) return answerWithRefusal(returnTo.refusal, clearState);
    const response = redirect(returnTo.location, [...clearState, ...returnTo.sessionCookies]);
    // The callback URL carries the code: never leak it onward in a Referer (S11).
    response.headers.set("referrer-policy", "no-referrer");
    return response;
  } catch (error) {
    const tooLarge = toAuthError(error).code === "session_too_large";
    // Signing in again cannot make the session smaller; any older session goes with it (S43).
    const response = failure(error, "/auth/callback", {
      restartSignIn: !tooLarge,
      signInHref: deps.config.routes.signIn,
    });
    const cleared = tooLarge ? clearSessionCookies(deps.config, sessionChunks(request, deps)) : [];
    for (const cookie of [...clearState, ...cleared]) response.headers.append("set-cookie", cookie);
    response.headers.set("referrer-policy", "no-referrer");
    addVaryCookie(response.headers);
    return response;
  }
}

async function completeSignIn(
  request: Request,
  params: URLSearchParams,
  sealedState: string | undefined,
  deps: FlowDeps,
) {
  // `error_description` is attacker-influenced text: it is never shown or logged (S05).
  if (params.has("error")) throw new AuthError("authorization_denied");
  const flow = sealedState ? await openSignInState(sealedState, deps.config) : null;
  if (!flow) {
    // No flow of this `state`: a wrong or missing one if others are in progress (S03).
    const others = pendingStateCookies(request, deps.config).length > 0;
    throw new AuthError(others ? "state_mismatch" : "state_missing");
  }
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
  // The app's hook, before any cookie: a refusal sets none (and ends the WorkOS session).
  const refusal = await askOnSignIn(request, authentication, verification.claims, flow, deps);
  if (refusal) return { location: "", sessionCookies: [], refusal };
  const session = createSession(authentication, deps.config, deps.now());
  const { headers } = await createSessionCookie(session, deps.config, deps.now(), {
    previousChunks: sessionChunks(request, deps), // a planted or older session's extra chunks go
  });
  return { location: flow.returnTo, sessionCookies: headers };
}

/** How many session cookies the request carries. */
function sessionChunks(request: Request, deps: FlowDeps): number {
  return readSessionCookie(request, deps.config)?.chunks ?? 0;
}

/**
 * `POST /sign-out`: end the session everywhere, clear the cookie, then send the browser through
 * WorkOS's logout URL back to `/`. Only same-origin posts are honoured (S33): a cross-site form
 * could otherwise sign users out.
 */
export async function handleSignOut(request: Request, deps: FlowDeps): Promise<Response> {
  const appOrigin = requestAppOrigin(request, deps.config);
  if (request.headers.get("origin") !== appOrigin) {
    return failure(new AuthError("origin_rejected"), "/sign-out");
  }
  try {
    // The form carries nothing sign-out needs, but a huge one is refused unread (S52).
    await readBoundedForm(request);
  } catch (error) {
    return failure(error, "/sign-out");
  }
  const clearSession = clearSessionCookies(deps.config, sessionChunks(request, deps));
  const ended = await readRequestSession(request, deps);
  const afterSignOut = deps.config.routes.afterSignOut;
  if (!ended) return redirect(afterSignOut, clearSession);
  const sid = ended.sessionId;
  await endSessionEverywhere(sid, deps);
  // The app hears of it after the fact, and sign-out never waits for it (S70).
  if (deps.hooks?.onSignOut) {
    const run = startSignOutHook(deps.hooks, { ...ended, request }, deps.hookTimeoutMs);
    deps.pendingHooks?.add(run);
    run.finally(() => deps.pendingHooks?.delete(run));
  }
  // The browser's trip through the hosted logout URL still matters: it ends AuthKit's own
  // session on WorkOS's domain, so the next sign-in asks for credentials again.
  const location = createLogoutUrl(await deps.workos(), sid, new URL(afterSignOut, appOrigin));
  return redirect(location, clearSession);
}

/**
 * Ends session `sid` without relying on the browser (S39): in shared state, so every instance
 * refuses the old cookie within a poll interval, and at WorkOS, so its refresh token dies even if
 * the logout redirect is never followed. Only the first sign-out of a session, across all
 * instances, calls WorkOS: a replayed sign-out of a revoked session would otherwise spend the
 * app's WorkOS rate limit, one call per replay (S53). Neither failure blocks sign-out; both are
 * logged, and when shared state cannot say, WorkOS is asked anyway.
 */
async function endSessionEverywhere(sid: string, deps: FlowDeps): Promise<void> {
  const first = await deps.revocations.revoke(sid).catch((error) => {
    logSignOutProblem(new AuthError("shared_state_unavailable", { cause: error }));
    return true;
  });
  if (!first) return;
  await deps.workos()
    .then((workos) => workos.userManagement.revokeSession({ sessionId: sid }))
    .catch((error) => logSignOutProblem(classifyUpstreamError(error)));
}

function logSignOutProblem(error: AuthError): void {
  logAuthFailure(error, "/sign-out", createRequestId());
}

/**
 * The WorkOS session id and user of the request's session, if any. The token is only decoded,
 * not verified: it came out of our own seal, and an expired token must still allow signing out.
 */
async function readRequestSession(
  request: Request,
  deps: FlowDeps,
): Promise<{ sessionId: string; user: Session["user"] } | null> {
  const seal = readSessionCookie(request, deps.config)?.seal;
  const opened = seal ? await openSession(seal, deps.config, deps.now()) : null;
  const sessionId = opened ? readSessionId(opened.value.accessToken) : null;
  return sessionId ? { sessionId, user: opened!.value.user } : null;
}
