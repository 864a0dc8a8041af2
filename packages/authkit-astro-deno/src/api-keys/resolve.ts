/**
 * Organization API keys on API routes (S67, S68): an `Authorization: Bearer` value that is not a
 * JWT is a key, and WorkOS says whether it is live. What keeps that cheap and safe:
 *
 * - A live key is validated at most once per `API_KEY_CACHE_MS` per instance. The cache is keyed
 *   by the key's SHA-256: the value itself is never stored, logged or sent anywhere but WorkOS.
 * - An unknown key is remembered for `INVALID_KEY_CACHE_MS`, in a cache of its own, so a client
 *   repeating one costs one call, and a flood of random keys cannot evict the live ones.
 * - Every instance makes at most `API_KEY_VALIDATIONS_PER_SECOND` validation calls a second
 *   (a token bucket); past it a new key is answered 429 at once, never queued: a client sending
 *   random keys as fast as it can costs WorkOS a fixed rate, and known keys keep working.
 * - A key deleted at WorkOS reaches every instance through the revocation feed (`api_key.revoked`,
 *   `handlers/webhook.ts`): a cache hit checks the in-memory revocations, as sessions do.
 *
 * @module
 */
import { AuthError, toAuthError } from "../core/errors.ts";
import { ExpiringLru } from "../core/cache.ts";
import type { Revocations } from "../shared-state/revocations.ts";
import { hashToken } from "../shared-state/store.ts";
import { type ApiKeyContext, createApiKeyContext } from "./context.ts";
import { type ApiKey, validateApiKey } from "./validation.ts";
import type { AuthConfig } from "../core/config.ts";
import { UPSTREAM_TIMEOUT_MS } from "../workos/client.ts";

/** How long a live key is trusted without asking WorkOS again. */
export const API_KEY_CACHE_MS = 60_000;
/** How long an unknown key is refused without asking WorkOS again. */
export const INVALID_KEY_CACHE_MS = 10_000;
/** WorkOS validation calls one instance may make per second, whatever clients send. */
export const API_KEY_VALIDATIONS_PER_SECOND = 10;
/** Bound on remembered keys, each of the two caches (a key's context is ~0.5 KB). */
export const API_KEY_CACHE_SIZE = 10_000;

/** The outcome of resolving an API key. */
export type ApiKeyResolution =
  | { kind: "api-key"; auth: ApiKeyContext }
  | { kind: "refused"; code: "api_key_invalid" | "api_key_revoked" }
  | { kind: "limited"; retryAfterSeconds: number }
  | { kind: "unavailable"; error: AuthError };

/** What key resolution needs; built once per process in `auth.ts`. */
export interface ApiKeyDeps {
  config: AuthConfig;
  /** How long a validation may take (default `UPSTREAM_TIMEOUT_MS`). */
  timeoutMs?: number;
  revocations: Revocations;
  now: () => number;
  /** Default `API_KEY_VALIDATIONS_PER_SECOND`. */
  validationsPerSecond?: number;
}

/** Resolves API keys for one process: its caches, its budget and its validations in flight. */
export function createApiKeyResolver(
  deps: ApiKeyDeps,
): (value: string) => Promise<ApiKeyResolution> {
  const live = new ExpiringLru<ApiKeyContext>(API_KEY_CACHE_SIZE);
  const unknown = new ExpiringLru<true>(API_KEY_CACHE_SIZE);
  const inFlight = new Map<string, Promise<ApiKeyResolution>>();
  const budget = createBudget(deps.validationsPerSecond ?? API_KEY_VALIDATIONS_PER_SECOND);

  function fromContext(hash: string, auth: ApiKeyContext): ApiKeyResolution {
    if (!deps.revocations.has(auth.apiKey.id)) return { kind: "api-key", auth };
    live.delete(hash); // deleted at WorkOS since it was cached (S67)
    return { kind: "refused", code: "api_key_revoked" };
  }

  async function validate(hash: string, value: string): Promise<ApiKeyResolution> {
    let key: ApiKey | null;
    try {
      key = await validateApiKey(deps.config, value, deps.timeoutMs ?? UPSTREAM_TIMEOUT_MS);
    } catch (error) {
      // WorkOS could not say: not the client's fault, and nothing is remembered.
      return { kind: "unavailable", error: toAuthError(error) };
    }
    if (key === null) {
      unknown.set(hash, true, deps.now() + INVALID_KEY_CACHE_MS, deps.now());
      return { kind: "refused", code: "api_key_invalid" };
    }
    const auth = createApiKeyContext(key);
    // A revocation learned while WorkOS was answering wins over that answer.
    if (deps.revocations.has(key.id)) return { kind: "refused", code: "api_key_revoked" };
    live.set(hash, auth, deps.now() + API_KEY_CACHE_MS, deps.now());
    return { kind: "api-key", auth };
  }

  return async (value) => {
    const hash = await hashToken(value);
    const now = deps.now();
    const cached = live.get(hash, now);
    if (cached) return fromContext(hash, cached);
    if (unknown.get(hash, now)) return { kind: "refused", code: "api_key_invalid" };
    // Concurrent requests with one new key share one validation.
    const pending = inFlight.get(hash);
    if (pending) return await pending;
    if (!budget.take(now)) return { kind: "limited", retryAfterSeconds: 1 };
    const validating = validate(hash, value).finally(() => inFlight.delete(hash));
    inFlight.set(hash, validating);
    return await validating;
  };
}

/** A token bucket of `perSecond` calls, refilled continuously, holding at most one second's. */
export function createBudget(perSecond: number): { take(now: number): boolean } {
  let tokens = perSecond;
  let updatedAt = -Infinity;
  return {
    take(now) {
      tokens = Math.min(perSecond, tokens + ((now - updatedAt) / 1000) * perSecond);
      updatedAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** An `AuthError` for a refused key, as the guard logs it. */
export function refusalError(resolution: ApiKeyResolution): AuthError {
  if (resolution.kind === "limited") return new AuthError("api_key_rate_limited");
  if (resolution.kind === "unavailable") return resolution.error;
  return new AuthError(resolution.kind === "refused" ? resolution.code : "api_key_invalid");
}
