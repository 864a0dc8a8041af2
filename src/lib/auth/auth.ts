/**
 * The composition root: builds everything the auth layer needs exactly once per process (WorkOS
 * client, JWKS cache, single-flight refresh, verified-session cache) from one validated config.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import { ExpiringLru } from "./cache.ts";
import { type AuthConfig, loadConfig } from "./config.ts";
import { type FlowDeps, handleCallback, handleSignIn, handleSignOut } from "./flows.ts";
import {
  createMembershipCache,
  type MembershipCache,
  type OrganizationView,
  viewOrganizations,
} from "./memberships.ts";
import { createRefreshInto, handleSwitchOrganization } from "./organizations.ts";
import { createSingleFlight } from "./refresh.ts";
import { type AuthContext, type Resolution, resolveSession } from "./resolve.ts";
import { createTokenVerifier, type TokenVerifier } from "./tokens.ts";
import { createWorkOSClient, getJwksUrl, refreshTokens, type TokenSet } from "./workos.ts";

/**
 * Bound on remembered verified sessions: about 3.9 KB each, the ~2 KB seal that keys it included
 * (`deno task bench`), so ~37 MiB at most.
 */
export const SESSION_CACHE_SIZE = 10_000;

/** The auth layer of one process. */
export interface Auth {
  readonly config: AuthConfig;
  /** The WorkOS client, loaded on first use (see `createWorkOSClient`). */
  readonly workos: () => Promise<WorkOS>;
  readonly verify: TokenVerifier;
  readonly cache: ExpiringLru<AuthContext>;
  /** Each user's organizations, cached briefly (see `memberships.ts`). */
  readonly memberships: MembershipCache;
  signIn(request: Request): Promise<Response>;
  signUp(request: Request): Promise<Response>;
  callback(request: Request): Promise<Response>;
  signOut(request: Request): Promise<Response>;
  switchOrganization(request: Request): Promise<Response>;
  /** The pages' view of a session: organization name and switcher; synchronous on a hit. */
  viewOrganizations(auth: AuthContext | null): OrganizationView | Promise<OrganizationView>;
  /** Synchronous on a cache hit or without a cookie (see `resolveSession` in `resolve.ts`). */
  resolveSession(request: Request): Resolution | Promise<Resolution>;
}

/** Seams for tests: a clock, and a smaller cache. */
export interface AuthOptions {
  now?: () => number;
  cacheSize?: number;
  upstreamTimeoutMs?: number;
  /** How long a page waits for the user's memberships (see `memberships.ts`). */
  membershipsDeadlineMs?: number;
}

/** Builds the auth layer for `config`. */
export function createAuth(config: AuthConfig, options: AuthOptions = {}): Auth {
  const now = options.now ?? Date.now;
  let client: Promise<WorkOS> | undefined;
  const workos = () =>
    client ??= createWorkOSClient(config, options.upstreamTimeoutMs).catch((error) => {
      client = undefined; // not remembered: the next call tries again
      throw error;
    });
  const verify = createTokenVerifier(config, getJwksUrl(config));
  const cache = new ExpiringLru<AuthContext>(options.cacheSize ?? SESSION_CACHE_SIZE);
  const refresh = createSingleFlight<TokenSet>(
    async (refreshToken) => refreshTokens(await workos(), config, refreshToken),
    now,
  );
  const deps: FlowDeps = { config, workos, verify, now };
  const memberships = createMembershipCache(workos, now, options.membershipsDeadlineMs);
  const refreshInto = createRefreshInto(workos, config, now);
  return {
    config,
    workos,
    verify,
    cache,
    memberships,
    signIn: (request) => handleSignIn(request, deps, "sign-in"),
    signUp: (request) => handleSignIn(request, deps, "sign-up"),
    callback: (request) => handleCallback(request, deps),
    signOut: (request) => handleSignOut(request, deps),
    switchOrganization: (request) =>
      handleSwitchOrganization(request, {
        config,
        verify,
        now,
        memberships,
        refreshInto,
        sessions: cache,
      }),
    viewOrganizations: (auth) => viewOrganizations(auth, memberships),
    resolveSession: (request) => resolveSession(request, { config, verify, refresh, cache, now }),
  };
}

let processAuth: Auth | undefined;

/** The process's auth layer, built from `Deno.env` on first use. Throws `ConfigError`. */
export function getAuth(): Auth {
  processAuth ??= createAuth(loadConfig(Deno.env.toObject()));
  return processAuth;
}
