/**
 * "Your sessions": the signed-in user's active sessions at WorkOS for the sessions page, and
 * `POST /auth/sessions/revoke`, which ends one of them (or every one but this browser's) at
 * WorkOS and on every instance of this app (S61).
 *
 * @module
 */
import { readBoundedForm } from "../core/body.ts";
import type { WorkOS } from "@workos-inc/node";
import { CachedLoader } from "../core/cache.ts";
import type { AuthConfig } from "../core/config.ts";
import { AuthError, toAuthError } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { isSameOriginRequest } from "../core/origin.ts";
import { requestAppOrigin } from "../core/redirect-origins.ts";
import { failure, redirect } from "../core/responses.ts";
import { safeReturnTo } from "../core/return-to.ts";
import type { AuthContext, Resolution } from "../session/resolve.ts";
import { clearSessionCookies, readSessionCookie } from "../session/session-cookie.ts";
import type { Revocations } from "../shared-state/revocations.ts";
import { classifyUpstreamError } from "../workos/client.ts";
import { listUserSessions, type UserSession } from "../workos/sessions.ts";

const ROUTE = "/auth/sessions/revoke";
/** Where the sessions page lives: the default `returnTo` of a revocation. */
/** The log label of a failed sessions list (it is read by a page of the app's own). */
const SESSIONS_LIST = "sessions list";
/** How long a user's list is reused: a reload soon after shows the same, a revocation drops it. */
export const SESSIONS_TTL_MS = 10_000;
const SESSIONS_CACHE_SIZE = 10_000;
/** WorkOS session ids are `session_` and 26 characters; anything far off is refused unread. */
const SESSION_ID = /^session_[A-Za-z0-9]{1,64}$/;

/** One session as the page shows it. */
export interface SessionView extends UserSession {
  /** This browser's session. */
  current: boolean;
}

/** Per-user session lists, cached briefly, one fetch per user at a time. */
export type SessionList = CachedLoader<UserSession[]>;

/** The list over the configured WorkOS API. */
export function createSessionList(
  config: AuthConfig,
  now: () => number,
  timeoutMs?: number,
): SessionList {
  return new CachedLoader((userId) => listUserSessions(config, userId, timeoutMs), now, {
    ttlMs: SESSIONS_TTL_MS,
    maxEntries: SESSIONS_CACHE_SIZE,
  });
}

/**
 * The page's view: this browser's session first and marked, then the others, newest first; null
 * (logged) when WorkOS failed.
 */
export async function viewSessions(
  auth: AuthContext,
  list: SessionList,
): Promise<SessionView[] | null> {
  try {
    const sessions = await list.load(auth.user.id);
    const views = sessions.map((session) => ({
      ...session,
      current: session.id === auth.sessionId,
    }));
    return [...views.filter((s) => s.current), ...views.filter((s) => !s.current)];
  } catch (error) {
    logAuthFailure(toAuthError(error), SESSIONS_LIST, createRequestId());
    return null;
  }
}

/** What the revocation needs; built once per process in `auth.ts`. */
export interface RevokeDeps {
  config: AuthConfig;
  workos: () => Promise<WorkOS>;
  revocations: Revocations;
  resolveSession: (request: Request) => Resolution | Promise<Resolution>;
  sessions: SessionList;
}

/**
 * `POST /auth/sessions/revoke` (form: `sessionId`, or `others=true`; optional `returnTo`).
 * Same-origin only; every session named must be in the user's own list, checked before WorkOS
 * is asked to revoke anything (403 otherwise); this browser's own session is ended by signing
 * out, not here (400). Each target is revoked at WorkOS (its refresh token dies) and recorded in
 * shared state (every instance refuses it within a revocation poll), then the browser goes
 * (303) back to the list.
 */
export async function handleRevokeSessions(
  request: Request,
  deps: RevokeDeps,
): Promise<Response> {
  if (!isSameOriginRequest(request, requestAppOrigin(request, deps.config))) {
    return failure(new AuthError("origin_rejected"), ROUTE);
  }
  let form: FormData | null;
  try {
    form = await readBoundedForm(request); // before anything else: 413, nothing buffered (S52)
  } catch (error) {
    return failure(error, ROUTE);
  }
  // The app's page that lists the sessions says where to come back: its form's `returnTo`.
  const returnTo = safeReturnTo(stringOrNull(form?.get("returnTo")), deps.config.routes);
  const resolution = await deps.resolveSession(request);
  if (resolution.kind === "unavailable") return failure(resolution.error, ROUTE);
  if (resolution.kind === "signed-out") {
    const chunks = readSessionCookie(request, deps.config)?.chunks;
    const clear = resolution.clearCookie ? clearSessionCookies(deps.config, chunks) : [];
    const signIn = deps.config.routes.signIn;
    return redirect(`${signIn}?returnTo=${encodeURIComponent(returnTo)}`, clear, 303);
  }
  const { auth, setCookies = [] } = resolution;
  let failed: AuthError | null;
  try {
    failed = form?.get("others") === "true"
      ? await revokeOthers(auth, deps)
      : await revokeAll([await chooseOne(form, auth, deps.sessions)], deps);
  } catch (error) {
    failed = toAuthError(error);
  } finally {
    // Whatever happened, the next sessions page reads what WorkOS has now (S63).
    deps.sessions.drop(auth.user.id);
  }
  if (failed) return withCookies(failure(failed, ROUTE), setCookies);
  return redirect(returnTo, setCookies, 303);
}

/** How many times "every other session" re-reads the list for sessions that began meanwhile. */
const OTHERS_ROUNDS = 3;

/**
 * Every session of the user but this browser's, as WorkOS lists them at this moment, never from
 * the page's cached list (S63): a session begun after the page was shown is ended too. The list
 * is read again after each round, and what appeared meanwhile is revoked, so the answer claims
 * success only when WorkOS's latest list holds no other session left alive by this request.
 */
async function revokeOthers(auth: AuthContext, deps: RevokeDeps): Promise<AuthError | null> {
  const revoked = new Set<string>();
  for (let round = 0; round < OTHERS_ROUNDS; round++) {
    const sessions = await deps.sessions.fetchFresh(auth.user.id);
    const targets = sessions.map((s) => s.id)
      .filter((id) => id !== auth.sessionId && !revoked.has(id));
    if (targets.length === 0) return null;
    const failed = await revokeAll(targets, deps);
    if (failed) return failed;
    for (const id of targets) revoked.add(id);
  }
  // Sessions keep appearing faster than they are ended: say so rather than claim success.
  return new AuthError("upstream_unavailable");
}

/** The one session the form names, checked against the user's own list (S61). */
async function chooseOne(
  form: FormData | null,
  auth: AuthContext,
  sessions: SessionList,
): Promise<string> {
  const userId = auth.user.id;
  const sessionId = form?.get("sessionId");
  if (typeof sessionId !== "string" || sessionId === auth.sessionId) {
    throw new AuthError("session_choice_invalid");
  }
  if (!SESSION_ID.test(sessionId)) throw new AuthError("session_not_owned");
  const owns = async () => (await sessions.load(userId)).some((s) => s.id === sessionId);
  if (await owns()) return sessionId;
  // The list may be a few seconds old: a session begun since is looked up once more.
  sessions.drop(userId);
  if (await owns()) return sessionId;
  throw new AuthError("session_not_owned");
}

/**
 * Revokes each target at WorkOS and in shared state, all at once; the first failure, if any.
 * WorkOS refusing with a 4xx (an unknown or ended session) counts as done.
 */
async function revokeAll(targets: string[], deps: RevokeDeps): Promise<AuthError | null> {
  const results = await Promise.allSettled(targets.flatMap((sid) => [
    deps.workos().then((workos) => workos.userManagement.revokeSession({ sessionId: sid }))
      .catch((error) => {
        const classified = classifyUpstreamError(error);
        if (classified.code !== "code_rejected") throw classified;
      }),
    deps.revocations.revoke(sid).catch((error) => {
      throw new AuthError("shared_state_unavailable", { cause: error });
    }),
  ]));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  return rejected ? toAuthError(rejected.reason) : null;
}

function withCookies(response: Response, cookies: string[]): Response {
  for (const cookie of cookies) response.headers.append("set-cookie", cookie);
  return response;
}

function stringOrNull(value: FormDataEntryValue | null | undefined): string | null {
  return typeof value === "string" ? value : null;
}
