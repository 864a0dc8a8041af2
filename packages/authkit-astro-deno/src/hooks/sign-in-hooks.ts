/**
 * The app's sign-in hooks (S70): a module the integration's `hooks` option names, exporting
 * `onSignIn` and/or `onSignOut`. Options reach runtime code as JSON, so functions travel as a
 * module (`virtual:authkit-deno/hooks`).
 *
 * - `onSignIn` runs in the callback after the code exchange and token verification, before any
 *   cookie is set. Returning a `Response` ends the sign-in with it ("not invited"); throwing, or
 *   not answering within `SIGN_IN_HOOK_TIMEOUT_MS`, ends it with the generic "Sign-in refused"
 *   page. Either way no session is set.
 * - `onSignOut` runs after the session has ended everywhere; it never delays or fails sign-out
 *   (its failures are logged).
 * - `state`: a string the app put on the sign-in link (`getSignInUrl({ state })`,
 *   `<SignInButton state=…>`), at most `MAX_APP_STATE_BYTES`, sealed in the sign-in cookie through
 *   AuthKit and back. Anyone can put anything on a sign-in link: it is data, never a proof of
 *   anything, and the hook must treat it as such.
 *
 * @module
 */
import { AuthError } from "../core/errors.ts";
import { createRequestId, logAuthFailure, logSink } from "../core/log.ts";

/** A custom `state` longer than this (UTF-8 bytes) is refused with 400 at the sign-in route. */
export const MAX_APP_STATE_BYTES = 1024;
/** How long `onSignIn` may take; then the sign-in is refused (a hang is bounded). */
export const SIGN_IN_HOOK_TIMEOUT_MS = 5_000;
/** How long `onSignOut` is waited for before its failure is logged (sign-out never waits). */
export const SIGN_OUT_HOOK_TIMEOUT_MS = 10_000;

/** The user as the session keeps it. */
export interface HookUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
}

/** What `onSignIn` is told: the verified sign-in, before it becomes a session. */
export interface SignInEvent {
  user: HookUser;
  organizationId: string | null;
  role: string | null;
  permissions: string[];
  impersonator: { email: string; reason: string | null } | null;
  /** The sign-in link's custom `state`, or null. Untrusted: anyone can write a link. */
  state: string | null;
  /** The callback request (headers, IP as the platform gives them). */
  request: Request;
}

/** What `onSignOut` is told, after the session ended everywhere. */
export interface SignOutEvent {
  user: HookUser;
  sessionId: string;
  request: Request;
}

/** The hooks module's exports; both optional. */
export interface AuthHooks {
  /** A `Response` ends the sign-in with it; throwing refuses it; anything else lets it through. */
  onSignIn?: (event: SignInEvent) => unknown;
  onSignOut?: (event: SignOutEvent) => unknown;
}

/**
 * The sign-in link's `state`: null when absent, the string when within the bound; throws
 * `sign_in_state_invalid` past it.
 */
export function readAppState(params: URLSearchParams): string | null {
  const state = params.get("state");
  if (state === null || state === "") return null;
  if (new TextEncoder().encode(state).length > MAX_APP_STATE_BYTES) {
    throw new AuthError("sign_in_state_invalid");
  }
  return state;
}

/**
 * Runs `onSignIn`: resolves to the hook's `Response`, or null to let the sign-in through. A throw
 * or a timeout rejects with `sign_in_refused`, its cause holding only the error's class.
 */
export async function runSignInHook(
  hooks: AuthHooks,
  event: SignInEvent,
  timeoutMs = SIGN_IN_HOOK_TIMEOUT_MS,
): Promise<Response | null> {
  if (!hooks.onSignIn) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookTimeout("onSignIn")), timeoutMs);
  });
  try {
    const answer = await Promise.race([
      Promise.resolve().then(() => hooks.onSignIn!(event)),
      timeout,
    ]);
    return answer instanceof Response ? answer : null;
  } catch (error) {
    // Logs keep only the cause's class: the hook's message is the app's and may quote anything.
    throw new AuthError("sign_in_refused", { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `onSignOut` without waiting for it; a throw, rejection or timeout is logged. */
export function startSignOutHook(
  hooks: AuthHooks,
  event: SignOutEvent,
  timeoutMs = SIGN_OUT_HOOK_TIMEOUT_MS,
): Promise<void> {
  if (!hooks.onSignOut) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookTimeout("onSignOut")), timeoutMs);
  });
  return Promise.race([Promise.resolve().then(() => hooks.onSignOut!(event)), timeout])
    .then(() => {}, (error) => {
      logSink.write(JSON.stringify({
        time: new Date().toISOString(),
        level: "warn",
        event: "sign_out_hook_failed",
        requestId: createRequestId(),
        cause: errorName(error),
      }));
    })
    .finally(() => clearTimeout(timer));
}

/** Logs a refused sign-in (the hook's own `Response`): the code, never the reason. */
export function logHookRefusal(route: string): void {
  logAuthFailure(new AuthError("sign_in_refused"), route, createRequestId());
}

/** A hook that did not answer in time (its class is what the log line names). */
class HookTimeout extends Error {}

function errorName(error: unknown): string {
  return error instanceof Error ? error.constructor.name : "Error";
}
