/**
 * `Astro.locals.auth.has(…)`: one question about the verified access token's claims, asked the
 * way authorization code reads best (`auth.has({ permission: "widgets:write" })`).
 *
 * @module
 */

/** What `has()` can ask; every key given must hold (an empty check holds for nobody). */
export interface AccessCheck {
  /** The role in the current organization (`role`, or one of `roles`). */
  role?: string;
  permission?: string;
  entitlement?: string;
  featureFlag?: string;
}

/** The claims `has()` reads: the verified access token's, never the request's. */
export interface AccessClaims {
  role: string | null;
  roles: readonly string[];
  permissions: readonly string[];
  entitlements: readonly string[];
  featureFlags: readonly string[];
}

/** The keys a check may hold: anything else is a mistake. */
const CHECK_KEYS: ReadonlySet<string> = new Set([
  "role",
  "permission",
  "entitlement",
  "featureFlag",
]);

/**
 * Whether `claims` grant everything `check` asks. Fails closed: a check with no known key (`{}`)
 * or with any unknown one (a typo such as `{ permission: "a", permisson: "b" }`) is false, so a
 * mistake denies rather than allows.
 */
export function hasAccess(claims: AccessClaims, check: AccessCheck): boolean {
  if (typeof check !== "object" || check === null) return false;
  if (Object.keys(check).some((key) => !CHECK_KEYS.has(key))) return false;
  const asked = [check.role, check.permission, check.entitlement, check.featureFlag];
  if (asked.every((value) => value === undefined)) return false;
  if (
    check.role !== undefined && claims.role !== check.role && !claims.roles.includes(check.role)
  ) {
    return false;
  }
  return isListed(check.permission, claims.permissions) &&
    isListed(check.entitlement, claims.entitlements) &&
    isListed(check.featureFlag, claims.featureFlags);
}

function isListed(value: string | undefined, list: readonly string[]): boolean {
  return value === undefined || list.includes(value);
}
