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
import { createSingleFlight } from "./refresh.ts";
import { type AuthContext, type Resolution, resolveSession } from "./resolve.ts";
import { createTokenVerifier, type TokenVerifier } from "./tokens.ts";
import { createWorkOSClient, getJwksUrl, refreshTokens, type TokenSet } from "./workos.ts";

/**
 * Bound on remembered verified sessions: about 3.9 KB each for a typical session, the ~2 KB seal
 * that keys it included (`deno task bench`), so ~37 MiB at most.
 */
export const SESSION_CACHE_SIZE = 10_000;
/**
 * Bound on their estimated size (S42): room for 10,000 typical sessions (~3.8 KB estimated each),
 * while B2B sessions with many permissions take 15–20 KB each (seal and token), for which the
 * entry bound alone would allow ~200 MiB.
 */
export const SESSION_CACHE_BYTES = 40 * 2 ** 20;

/** The auth layer of one process. */
export interface Auth {
  readonly config: AuthConfig;
  /** The WorkOS client, loaded on first use (see `createWorkOSClient`). */
  readonly workos: () => Promise<WorkOS>;
  readonly verify: TokenVerifier;
  readonly cache: ExpiringLru<AuthContext>;
  signIn(request: Request): Promise<Response>;
  signUp(request: Request): Promise<Response>;
  callback(request: Request): Promise<Response>;
  signOut(request: Request): Promise<Response>;
  /** Synchronous on a cache hit or without a cookie (see `resolveSession` in `resolve.ts`). */
  resolveSession(request: Request): Resolution | Promise<Resolution>;
}

/** Seams for tests: a clock, and a smaller cache. */
export interface AuthOptions {
  now?: () => number;
  cacheSize?: number;
  cacheBytes?: number;
  upstreamTimeoutMs?: number;
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
  const cache = new ExpiringLru<AuthContext>(options.cacheSize ?? SESSION_CACHE_SIZE, {
    maxBytes: options.cacheBytes ?? SESSION_CACHE_BYTES,
    sizeOf: estimateEntryBytes,
  });
  const refresh = createSingleFlight<TokenSet>(
    async (refreshToken) => refreshTokens(await workos(), config, refreshToken),
    now,
  );
  const deps: FlowDeps = { config, workos, verify, now };
  return {
    config,
    workos,
    verify,
    cache,
    signIn: (request) => handleSignIn(request, deps, "sign-in"),
    signUp: (request) => handleSignIn(request, deps, "sign-up"),
    callback: (request) => handleCallback(request, deps),
    signOut: (request) => handleSignOut(request, deps),
    resolveSession: (request) => resolveSession(request, { config, verify, refresh, cache, now }),
  };
}

/**
 * What a cache entry costs, estimated once when it is stored: the seal that keys it, the access
 * token, the claim strings, and ~600 bytes of objects and headers (measured: `deno task bench`).
 */
export function estimateEntryBytes(seal: string, auth: AuthContext): number {
  let bytes = 600 + seal.length + auth.accessToken.length;
  for (const list of [auth.roles, auth.permissions, auth.entitlements, auth.featureFlags]) {
    for (const item of list) bytes += item.length + 16;
  }
  return bytes;
}

let processAuth: Auth | undefined;

/** The process's auth layer, built from `Deno.env` on first use. Throws `ConfigError`. */
export function getAuth(): Auth {
  processAuth ??= createAuth(loadConfig(Deno.env.toObject()));
  return processAuth;
}
