/**
 * The stand-in's in-memory state and the session rules on top of it: codes, sessions, refresh
 * tokens and the snake_case authentication response WorkOS returns. A refresh mints its token from
 * the membership as it is now: after a role change the new role, after a removal no longer that
 * organization.
 *
 * @module
 */
import { base64url } from "jose";
import { findMembership, type Seed, type SeedUser } from "./seed.ts";
import { randomId, signAccessToken, type SigningKey } from "./tokens.ts";
import type { WebhookSender } from "./webhooks.ts";

/** The admin behind an impersonated session, as WorkOS reports it. */
export interface Impersonator {
  email: string;
  reason: string | null;
}

/** What a user's sign-in produces and a session keeps. */
export interface SignIn {
  userId: string;
  authenticationMethod: string;
  impersonator?: Impersonator;
  /** The organization the session is in; by default the user's first membership. */
  organizationId?: string;
  /** When the user last authenticated (Unix seconds): the tokens' `auth_time`. Default: now. */
  authTime?: number;
  /** The browser that signed in, as the sessions list reports it. */
  ipAddress?: string | null;
  userAgent?: string | null;
}

/** An authorization code's record until its single use. */
export interface CodeGrant extends SignIn {
  clientId: string;
  createdAtMs: number;
  /** S256 PKCE challenge (RFC 7636), when the authorize request carried one. */
  codeChallenge?: string;
}

/** A signed-in session: the `sid` of its access tokens, kept across refreshes. */
export interface Session extends SignIn {
  id: string;
  createdAt: string;
  authTime: number;
  /** Set when it ended (sign-out, revoke): it is then listed as `revoked`, never refreshed. */
  endedAt?: string;
}

/** An organization API key as the stand-in keeps it: the SHA-256 of its value, never the value. */
export interface StoredApiKey {
  id: string;
  name: string;
  organizationId: string;
  permissions: string[];
  valueHash: string;
  obfuscatedValue: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Ended sessions kept for the sessions list, newest last. */
export const ENDED_SESSIONS_KEPT = 100;

/** Everything the stand-in knows; settings that tests change at run time are mutable. */
export interface StandInState {
  readonly clientId: string;
  readonly apiKey: string;
  readonly redirectUris: readonly string[];
  readonly issuer: string;
  readonly now: () => number;
  readonly seed: Seed;
  accessTokenTtlSeconds: number;
  /** Published in the JWKS; the last one signs new tokens. */
  signingKeys: SigningKey[];
  users: Map<string, SeedUser>;
  codes: Map<string, CodeGrant>;
  sessions: Map<string, Session>;
  /** Refresh token → session id. Ending a session makes its tokens useless. */
  refreshTokens: Map<string, string>;
  /** Sessions that ended, for the sessions list (`revoked`); bounded. */
  endedSessions: Session[];
  /**
   * AuthKit's own memory of each user's last authentication (epoch ms): a sign-in within a
   * request's `max_age` reuses it as `auth_time`, as a hosted session would (`authorize.ts`).
   */
  lastAuthentications: Map<string, number>;
  /** Organization API keys by id (`api-keys.ts`). */
  apiKeys: Map<string, StoredApiKey>;
  /** Sends `session.revoked` when a session ends, if a webhook endpoint is configured. */
  webhooks?: WebhookSender;
}

/** Finds a user by email, or creates one the way an AuthKit sign-up would. */
export function findOrCreateUser(state: StandInState, email: string): SeedUser {
  const normalized = email.trim().toLowerCase();
  const existing = [...state.users.values()].find((user) =>
    user.email.toLowerCase() === normalized
  );
  if (existing) return existing;
  const [first = "", ...rest] = normalized.split("@")[0].split(/[._+-]+/).map(capitalize);
  const user: SeedUser = {
    id: randomId("user"),
    email: normalized,
    firstName: first,
    lastName: rest.join(" "),
    // AuthKit would verify the address first; the stand-in skips that step.
    emailVerified: true,
    profilePictureUrl: null,
    createdAt: new Date(state.now()).toISOString(),
  };
  state.users.set(user.id, user);
  return user;
}

/** Stores a single-use authorization code for a completed sign-in. */
export function issueCode(state: StandInState, grant: Omit<CodeGrant, "createdAtMs">): string {
  const code = randomToken();
  state.codes.set(code, { ...grant, createdAtMs: state.now() });
  return code;
}

/** Removes and returns a code's grant: a code is spent by its first use, even a failed one. */
export function takeCode(state: StandInState, code: string): CodeGrant | undefined {
  const grant = state.codes.get(code);
  state.codes.delete(code);
  return grant;
}

/** The active session a refresh token belongs to, without spending the token. */
export function peekRefreshToken(state: StandInState, token: string): Session | undefined {
  const sessionId = state.refreshTokens.get(token);
  return sessionId === undefined ? undefined : state.sessions.get(sessionId);
}

/** Removes a refresh token and returns its session, if that session is still active. */
export function takeRefreshToken(state: StandInState, token: string): Session | undefined {
  const sessionId = state.refreshTokens.get(token);
  state.refreshTokens.delete(token);
  return sessionId === undefined ? undefined : state.sessions.get(sessionId);
}

/**
 * Ends a session (logout, the revoke API, the admin page): its refresh tokens stop working, and
 * a configured webhook endpoint hears `session.revoked`. Ending an ended session changes nothing.
 */
export function endSession(state: StandInState, sessionId: string): void {
  const session = state.sessions.get(sessionId);
  state.sessions.delete(sessionId);
  for (const [token, id] of state.refreshTokens) {
    if (id === sessionId) state.refreshTokens.delete(token);
  }
  if (!session) return;
  state.endedSessions.push({ ...session, endedAt: new Date(state.now()).toISOString() });
  if (state.endedSessions.length > ENDED_SESSIONS_KEPT) state.endedSessions.shift();
  state.webhooks?.sessionRevoked({ id: session.id, userId: session.userId });
}

/** Starts a session for a sign-in and returns the authenticate endpoint's JSON for it. */
export function startSession(
  state: StandInState,
  signIn: SignIn,
): Promise<Record<string, unknown>> {
  if (!state.users.has(signIn.userId)) throw new Error(`Unknown user "${signIn.userId}"`);
  const session = {
    ...signIn,
    id: randomId("session"),
    createdAt: new Date(state.now()).toISOString(),
    authTime: signIn.authTime ?? Math.floor(state.now() / 1000),
  };
  state.sessions.set(session.id, session);
  return authenticationResponse(state, session);
}

/** Mints a new access token and refresh token for a session, in the wire shape. */
export async function authenticationResponse(
  state: StandInState,
  session: Session,
): Promise<Record<string, unknown>> {
  const user = state.users.get(session.userId)!;
  const membership = findMembership(state.seed, user.id, session.organizationId);
  const refreshToken = randomToken();
  state.refreshTokens.set(refreshToken, session.id);
  const accessToken = await signAccessToken(state.signingKeys.at(-1)!, {
    issuer: state.issuer,
    nowSeconds: Math.floor(state.now() / 1000),
    ttlSeconds: state.accessTokenTtlSeconds,
    sessionId: session.id,
    userId: user.id,
    membership,
    actor: session.impersonator?.email,
    // WorkOS keeps `auth_time` across refreshes: a refresh is not a sign-in.
    authTime: session.authTime,
  });
  return {
    user: userResponse(user),
    // Omitted, not null, when they do not apply.
    ...(membership && { organization_id: membership.organization.id }),
    access_token: accessToken,
    refresh_token: refreshToken,
    authentication_method: session.authenticationMethod,
    ...(session.impersonator && { impersonator: session.impersonator }),
  };
}

function userResponse(user: SeedUser): Record<string, unknown> {
  return {
    object: "user",
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    first_name: user.firstName,
    last_name: user.lastName,
    profile_picture_url: user.profilePictureUrl,
    created_at: user.createdAt,
    updated_at: user.createdAt,
  };
}

/** An unguessable opaque token (256 bits) for codes and refresh tokens. */
function randomToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
