/**
 * The composition root: builds everything the auth layer needs exactly once per process (WorkOS
 * client, JWKS cache, shared state, revocations, coordinated refresh, verified-session cache)
 * from one validated config.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import { ExpiringLru } from "./core/cache.ts";
import { type AuthConfig, loadConfig } from "./core/config.ts";
import type { RouteOptions } from "./core/routes.ts";
import { type FlowDeps, handleCallback, handleSignIn, handleSignOut } from "./handlers/flows.ts";
import {
  createMembershipCache,
  type MembershipCache,
  type OrganizationView,
  viewOrganizations,
} from "./organizations/memberships.ts";
import { createSwitchInto, handleSwitchOrganization } from "./organizations/switch.ts";
import { createCoordinatedRefresh, EXCHANGE_TIMEOUT_MS } from "./shared-state/refresh.ts";
import { type AuthContext, type Resolution, resolveSession } from "./session/resolve.ts";
import { createRevocations, type Revocations } from "./shared-state/revocations.ts";
import { createSessionCookie } from "./session/session.ts";
import { createMemorySharedState, type SharedState } from "./shared-state/store.ts";
import { openSharedState } from "./shared-state/open.ts";
import { createTokenVerifier, type TokenVerifier } from "./workos/tokens.ts";
import { handleWebhook } from "./handlers/webhook.ts";
import { getJwksUrl, lazyClient } from "./workos/client.ts";
import { refreshTokens, type SessionUser } from "./workos/calls.ts";
import { handleAccessToken } from "./handlers/access-token.ts";
import {
  createSessionList,
  handleRevokeSessions,
  type SessionList,
  type SessionView,
  viewSessions,
} from "./handlers/sessions.ts";
import { createBearerCache, resolveBearer } from "./session/bearer.ts";
import { isRecent } from "./session/recent-auth.ts";
import { type ApiKeyResolution, createApiKeyResolver } from "./api-keys/resolve.ts";
import {
  estimateEntryBytes,
  SESSION_CACHE_BYTES,
  SESSION_CACHE_SIZE,
} from "./session/session-cache.ts";
import type { AuthHooks } from "./hooks/sign-in-hooks.ts";

export { estimateEntryBytes, SESSION_CACHE_BYTES, SESSION_CACHE_SIZE };

/** The auth layer of one process. */
export interface Auth {
  readonly config: AuthConfig;
  /** The WorkOS client, loaded on first use (see `createWorkOSClient`). */
  readonly workos: () => Promise<WorkOS>;
  readonly verify: TokenVerifier;
  readonly cache: ExpiringLru<AuthContext>;
  /** Deno KV, or the in-process fallback (`sharedState.mode` says which). */
  readonly sharedState: SharedState;
  readonly revocations: Revocations;
  /** Each user's organizations, cached briefly (see `memberships.ts`). */
  readonly memberships: MembershipCache;
  signIn(request: Request): Promise<Response>;
  signUp(request: Request): Promise<Response>;
  callback(request: Request): Promise<Response>;
  signOut(request: Request): Promise<Response>;
  webhook(request: Request): Promise<Response>;
  switchOrganization(request: Request): Promise<Response>;
  /** The pages' view of a session: organization name and switcher; synchronous on a hit. */
  viewOrganizations(auth: AuthContext | null): OrganizationView | Promise<OrganizationView>;
  /** Synchronous on a cache hit or without a cookie (see `resolveSession` in `resolve.ts`). */
  resolveSession(request: Request): Resolution | Promise<Resolution>;
  /** An API request's `Authorization: Bearer` token; synchronous on a hit (`bearer.ts`). */
  resolveBearer(token: string): Resolution | Promise<Resolution>;
  /** An API request's organization API key: cached, budgeted, revocable (`api-keys/`). */
  resolveApiKey(value: string): Promise<ApiKeyResolution>;
  /** `GET /auth/access-token`: the session's access token for same-origin browser code. */
  accessToken(request: Request): Promise<Response>;
  /** Each user's active sessions at WorkOS, cached briefly (`handlers/sessions.ts`). */
  readonly sessionList: SessionList;
  /** The sessions page's list, this browser's marked; null when WorkOS could not list them. */
  viewSessions(auth: AuthContext): Promise<SessionView[] | null>;
  /** `POST /auth/sessions/revoke`: end one of the user's other sessions, or all of them. */
  revokeSessions(request: Request): Promise<Response>;
  /** Resolves once every `onSignOut` started so far has settled (tests, shutdown). */
  hooksSettled(): Promise<void>;
  /** Whether `auth` signed in within `maxAgeSeconds` (`auth_time`); false when unknown (S59). */
  isRecent(auth: AuthContext | null, maxAgeSeconds: number): boolean;
}

/** Seams for tests: a clock, a smaller cache, a shorter timeout, a given shared state. */
export interface AuthOptions {
  now?: () => number;
  cacheSize?: number;
  cacheBytes?: number;
  upstreamTimeoutMs?: number;
  /** How long a token exchange may run once sent (default `EXCHANGE_TIMEOUT_MS`, S58). */
  exchangeTimeoutMs?: number;
  /** How long a request waits for a refresh (default `REFRESH_WAIT_MS`). */
  refreshWaitMs?: number;
  /** Default: a fresh in-process store (`getAuth` opens Deno KV instead). */
  sharedState?: SharedState;
  /** Waits between polls of another instance's refresh claim. */
  sleep?: (ms: number) => Promise<void>;
  /** How long a page waits for the user's memberships (see `memberships.ts`). */
  membershipsDeadlineMs?: number;
  /** WorkOS API key validations per second (default `API_KEY_VALIDATIONS_PER_SECOND`). */
  apiKeyValidationsPerSecond?: number;
  /** The app's sign-in hooks module (`hooks` option, S70), and a bound on each hook. */
  hooks?: AuthHooks;
  hookTimeoutMs?: number;
}

/** Builds the auth layer for `config`. */
export function createAuth(config: AuthConfig, options: AuthOptions = {}): Auth {
  const now = options.now ?? Date.now;
  const workos = lazyClient(config, options.upstreamTimeoutMs);
  // Token exchanges get their own client: a request stops waiting after a few seconds, but an
  // exchange WorkOS may already have acted on runs on, so its answer is not lost (S58).
  const exchangeClient = lazyClient(config, options.exchangeTimeoutMs ?? EXCHANGE_TIMEOUT_MS);
  const verify = createTokenVerifier(config, getJwksUrl(config));
  const cache = new ExpiringLru<AuthContext>(options.cacheSize ?? SESSION_CACHE_SIZE, {
    maxBytes: options.cacheBytes ?? SESSION_CACHE_BYTES,
    sizeOf: estimateEntryBytes,
  });
  const sharedState = options.sharedState ?? createMemorySharedState(now);
  const revocations = createRevocations(sharedState, now);
  const coordinator = createCoordinatedRefresh({
    store: sharedState,
    now,
    sleep: options.sleep,
    waitMs: options.refreshWaitMs,
    async exchange(session) {
      const tokens = await refreshTokens(await exchangeClient(), config, session.refreshToken);
      // The v6 client returns the user in snake_case on refresh: keep the stored one.
      return (await createSessionCookie({ ...session, ...tokens }, config, now())).sealed;
    },
  });
  const pendingHooks = new Set<Promise<void>>();
  const deps: FlowDeps = {
    config,
    workos,
    verify,
    revocations,
    now,
    hooks: options.hooks,
    hookTimeoutMs: options.hookTimeoutMs,
    pendingHooks,
  };
  const memberships = createMembershipCache(config, now, {
    pageDeadlineMs: options.membershipsDeadlineMs,
    timeoutMs: options.upstreamTimeoutMs,
  });
  const switchInto = createSwitchInto({
    config,
    workos: exchangeClient,
    verify,
    now,
    exchangeOnce: coordinator.exchangeOnce,
  });
  // Profiles of users whose cookie session was verified lately, for their bearer requests.
  const profiles = new ExpiringLru<SessionUser>(SESSION_CACHE_SIZE);
  const bearerCache = createBearerCache();
  const sessionList = createSessionList(config, now, options.upstreamTimeoutMs);
  const resolveApiKey = createApiKeyResolver({
    config,
    timeoutMs: options.upstreamTimeoutMs,
    revocations,
    now,
    validationsPerSecond: options.apiKeyValidationsPerSecond,
  });
  // A user's claims changed at WorkOS (S69): every cached view of them goes, so their next
  // request takes the full path (and refreshes); nothing is checked on a cache hit.
  revocations.onUserChange((userId) => {
    cache.deleteWhere((auth) => auth.user.id === userId);
    bearerCache.deleteWhere((auth) => auth.user.id === userId);
    memberships.drop(userId);
    sessionList.drop(userId);
  });
  const resolve = (request: Request) =>
    resolveSession(request, {
      config,
      verify,
      refresh: coordinator.refresh,
      cache,
      revocations,
      now,
      profiles,
    });
  return {
    config,
    workos,
    verify,
    cache,
    sharedState,
    revocations,
    memberships,
    signIn: (request) => handleSignIn(request, deps, "sign-in"),
    signUp: (request) => handleSignIn(request, deps, "sign-up"),
    callback: (request) => handleCallback(request, deps),
    signOut: (request) => handleSignOut(request, deps),
    webhook: (request) => handleWebhook(request, { config, revocations, now }),
    switchOrganization: (request) =>
      handleSwitchOrganization(request, {
        config,
        verify,
        now,
        memberships,
        switchInto,
        revocations,
        sessions: cache,
      }),
    viewOrganizations: (auth) => viewOrganizations(auth, memberships),
    resolveSession: resolve,
    resolveBearer: (token) =>
      resolveBearer(token, { verify, revocations, cache: bearerCache, profiles, now }),
    resolveApiKey,
    accessToken: (request) => handleAccessToken(request, { config, resolveSession: resolve }),
    sessionList,
    viewSessions: (auth) => viewSessions(auth, sessionList),
    revokeSessions: (request) =>
      handleRevokeSessions(request, {
        config,
        workos,
        revocations,
        resolveSession: resolve,
        sessions: sessionList,
      }),
    hooksSettled: async () => void await Promise.all(pendingHooks),
    isRecent: (auth, maxAgeSeconds) =>
      auth !== null && isRecent(auth.authTime, maxAgeSeconds, now()),
  };
}

let processAuth: Auth | undefined;

/**
 * The process's auth layer, built from `Deno.env` and the integration's route options on first
 * use, on Deno KV (or its in-process fallback), polling the revocation feed in the background.
 * Throws `ConfigError`.
 */
export function getAuth(routeOptions: RouteOptions = {}, hooks: AuthHooks = {}): Auth {
  if (processAuth) return processAuth;
  const config = loadConfig(Deno.env.toObject(), routeOptions);
  const sharedState = openSharedState(config.kvPath, { required: config.sharedStateRequired });
  processAuth = createAuth(config, { sharedState, hooks });
  processAuth.revocations.startSync();
  return processAuth;
}
