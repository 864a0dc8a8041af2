/**
 * `onSignIn` inside the callback (S70): asked after the code exchange and token verification,
 * before any cookie is set. When it refuses (a `Response`, a throw, a timeout) the WorkOS session
 * the exchange created is ended too, so a refused sign-in leaves no live refresh token behind.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { addVaryCookie } from "../core/responses.ts";
import { claimsView } from "../session/context.ts";
import type { SignInState } from "../session/state.ts";
import type { Authentication } from "../workos/calls.ts";
import { classifyUpstreamError } from "../workos/client.ts";
import type { AccessTokenClaims } from "../workos/tokens.ts";
import { type AuthHooks, logHookRefusal, runSignInHook } from "./sign-in-hooks.ts";

/** What asking the hook needs of the callback's dependencies. */
export interface CallbackHookDeps {
  workos: () => Promise<WorkOS>;
  hooks?: AuthHooks;
  hookTimeoutMs?: number;
}

/**
 * The hook's `Response` when it refuses, null when the sign-in may go on; rejects with
 * `sign_in_refused` when it throws or hangs. Either refusal ends the new WorkOS session first.
 */
export async function askOnSignIn(
  request: Request,
  authentication: Authentication,
  claims: AccessTokenClaims,
  flow: SignInState,
  deps: CallbackHookDeps,
): Promise<Response | null> {
  if (!deps.hooks?.onSignIn) return null;
  const { organizationId, role, permissions } = claimsView(claims, authentication.accessToken);
  const event = {
    user: authentication.user,
    organizationId: organizationId ?? authentication.organizationId,
    role,
    permissions,
    impersonator: authentication.impersonator,
    state: flow.appState ?? null,
    request,
  };
  let refusal: Response | null;
  try {
    refusal = await runSignInHook(deps.hooks, event, deps.hookTimeoutMs);
  } catch (error) {
    await endRefusedSession(claims.sid, deps);
    throw error;
  }
  if (refusal) {
    logHookRefusal("/auth/callback");
    await endRefusedSession(claims.sid, deps);
  }
  return refusal;
}

/**
 * The hook's own answer, as the callback sends it: the flow's state cookie cleared, no session,
 * never cached or leaked onward (`no-store`, `no-referrer`, as every callback answer).
 */
export function answerWithRefusal(hookResponse: Response, clearState: string[]): Response {
  const response = new Response(hookResponse.body, hookResponse); // its headers may be immutable
  for (const cookie of clearState) response.headers.append("set-cookie", cookie);
  response.headers.set("cache-control", "no-store");
  response.headers.set("referrer-policy", "no-referrer");
  addVaryCookie(response.headers);
  return response;
}

/** Revokes the session the exchange just created; a failure is logged, never thrown. */
async function endRefusedSession(sessionId: string, deps: CallbackHookDeps): Promise<void> {
  try {
    await (await deps.workos()).userManagement.revokeSession({ sessionId });
  } catch (error) {
    logAuthFailure(classifyUpstreamError(error), "/auth/callback", createRequestId());
  }
}
