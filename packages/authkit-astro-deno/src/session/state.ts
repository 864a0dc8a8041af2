/**
 * The sign-in flow's state: a random `state`, a PKCE verifier and the `returnTo` path, sealed in
 * a short-lived cookie that binds the callback to the browser that started sign-in (RFC 9700
 * §4.7.1, login CSRF).
 *
 * @module
 */
import { base64url } from "jose";
import type { AuthConfig } from "../core/config.ts";
import { cookieName, readCookies, STATE_COOKIE } from "./cookies.ts";
import { seal, unseal } from "./seal.ts";

/** How long a sign-in may take, from `/sign-in` to the callback. */
export const STATE_TTL_SECONDS = 600;
/**
 * Sign-ins a browser may have in progress at once (S46): tabs, a cross-site link to `/sign-in`.
 * Past it, `/sign-in` deletes the oldest flows' cookies, so they cannot pile up.
 */
export const MAX_PENDING_SIGN_INS = 3;
const KIND = "sign-in-state";

/** What the state cookie carries. */
export interface SignInState {
  state: string;
  codeVerifier: string;
  returnTo: string;
  /** The sign-in link's custom `state` for the app's `onSignIn` hook (S70); data, not proof. */
  appState?: string;
}

/** 32 random bytes, base64url: 256 bits, twice what RFC 9700 asks of `state`. */
export function randomToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/** Starts a sign-in: fresh `state` and PKCE verifier, plus where to go afterwards. */
export function createSignInState(returnTo: string, appState?: string | null): SignInState {
  const flow: SignInState = { state: randomToken(), codeVerifier: randomToken(), returnTo };
  if (appState) flow.appState = appState;
  return flow;
}

/** The S256 PKCE challenge for a verifier (RFC 7636 §4.2). */
export async function createCodeChallenge(codeVerifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier));
  return base64url.encode(new Uint8Array(digest));
}

/** Seals the flow state for the state cookie. */
export function sealSignInState(state: SignInState, config: AuthConfig): Promise<string> {
  return seal(KIND, state, config.cookiePasswords, STATE_TTL_SECONDS);
}

/** Opens the state cookie; anything else than a live state of ours is null. */
export async function openSignInState(
  sealed: string,
  config: AuthConfig,
): Promise<SignInState | null> {
  const opened = await unseal(KIND, sealed, config.cookiePasswords, isSignInState);
  return opened?.value ?? null;
}

function isSignInState(value: unknown): value is SignInState {
  const v = value as Partial<SignInState>;
  return typeof v.state === "string" && v.state.length >= 22 &&
    typeof v.codeVerifier === "string" && v.codeVerifier.length >= 43 &&
    typeof v.returnTo === "string" &&
    (v.appState === undefined || (typeof v.appState === "string" && v.appState.length <= 1024));
}

/** Compares two `state` values in constant time; empty values never match. */
export function statesMatch(expected: string, received: string | null): boolean {
  if (!expected || !received) return false;
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(received);
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/**
 * The cookie name of the flow whose `state` is given: `wos-auth-state.<tag>`, the tag 72 bits of
 * SHA-256 of `state` (S46). One cookie per flow, so a second sign-in never overwrites the first.
 * Hashed rather than copied: the callback's `state` is attacker-supplied, and a digest can only
 * ever make a valid cookie name (a `;` or CR/LF in it could not reach a `Set-Cookie` header).
 */
export async function stateCookieName(config: AuthConfig, state: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(state));
  const tag = base64url.encode(new Uint8Array(digest, 0, 9));
  return `${cookieName(config, STATE_COOKIE)}.${tag}`;
}

/**
 * The names of the state cookies a request carries, oldest first (browsers send older first).
 * Only names this app could have set count: they are echoed into `Set-Cookie` deletions, where a
 * planted name with a quote would make an invalid header and one with a space a thrown error.
 */
export function pendingStateCookies(request: Request, config: AuthConfig): string[] {
  const base = cookieName(config, STATE_COOKIE);
  return Object.keys(readCookies(request)).filter((name) => isStateCookieName(name, base));
}

/** `base` itself (the name before S46) or `base.<base64url tag>`. */
function isStateCookieName(name: string, base: string): boolean {
  if (name === base) return true;
  return name.startsWith(`${base}.`) && /^[A-Za-z0-9_-]{1,64}$/.test(name.slice(base.length + 1));
}

/**
 * Which of `pending` (oldest first) to delete before one more flow starts, so that at most
 * `MAX_PENDING_SIGN_INS` remain.
 */
export function stateCookiesToEvict(pending: string[]): string[] {
  return pending.slice(0, Math.max(0, pending.length - (MAX_PENDING_SIGN_INS - 1)));
}
