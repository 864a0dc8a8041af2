/**
 * `Astro.locals.auth` for a request that proved an organization API key rather than a user:
 * `credential: "api_key"`, and no `user`, so TypeScript makes a route tell the two apart before
 * it reads anything a signed-in user has (S68).
 *
 * @module
 */
import { freezeDeep } from "../core/freeze.ts";
import { type AccessCheck, hasAccess } from "../session/access.ts";
import { type ApiKey, keyOrganization } from "./validation.ts";

/** An API key's authority: its organization and its permissions, nothing of any user's. */
export interface ApiKeyContext {
  credential: "api_key";
  /** The key as WorkOS describes it: `id`, `name`, `owner`, `obfuscatedValue`, `permissions`. */
  apiKey: ApiKey;
  /** The one organization the key acts for (its owner's, or a user-owned key's organization). */
  organizationId: string | null;
  permissions: string[];
  /**
   * Whether the key grants `permission`. Keys carry no role, entitlement or feature flag: asking
   * for one is false, as is an empty check.
   */
  has(check: AccessCheck): boolean;
}

/** The frozen context of a live key; every request with that key shares it (S48). */
export function createApiKeyContext(apiKey: ApiKey): ApiKeyContext {
  const claims = {
    role: null,
    roles: [],
    permissions: apiKey.permissions,
    entitlements: [],
    featureFlags: [],
  };
  return freezeDeep({
    credential: "api_key" as const,
    apiKey,
    organizationId: keyOrganization(apiKey),
    permissions: apiKey.permissions,
    has: (check: AccessCheck) => hasAccess(claims, check),
  });
}
