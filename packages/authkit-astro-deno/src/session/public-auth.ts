/**
 * The public part of a session, for browser code (`$auth` in `client/auth.ts`): who the user is
 * and what the verified token grants, never a credential. It is written into pages
 * (`<AuthState />`) and answered by the state route, so it must be data only (S66):
 * - no access token, refresh token, seal or session id: what browser code may spend comes only
 *   from `getAccessToken()`;
 * - serialised for a `<script type="application/json">` element, where the HTML parser, not
 *   JSON, decides where the element ends: `<` (so `</script` and `<!--`), `>` and `&` are
 *   escaped, and U+2028/U+2029, which older JavaScript parsers took as line ends.
 *
 * @module
 */
import type { ApiKeyContext } from "../api-keys/context.ts";
import type { OrganizationChoice, SignedInContext } from "../organizations/memberships.ts";

/** The id of the element `<AuthState />` writes and `$auth` reads. */
export const AUTH_STATE_ELEMENT_ID = "authkit-state";

/** What browser code may know about the signed-in user. */
export interface PublicAuthData {
  user: {
    id: string;
    email: string;
    firstName: string | null;
    lastName: string | null;
    profilePictureUrl: string | null;
  };
  organizationId: string | null;
  organizationName: string | null;
  role: string | null;
  roles: string[];
  permissions: string[];
  entitlements: string[];
  featureFlags: string[];
  impersonator: { email: string; reason: string | null } | null;
  /** The user's active organizations, as `Astro.locals.organizations` (null when unknown). */
  organizations: OrganizationChoice[] | null;
}

/**
 * The public part of `auth` (null when signed out), field by field: nothing else can leak. An
 * API key is nobody's session (pages never accept one): null too.
 */
export function toPublicAuth(
  auth: SignedInContext | ApiKeyContext | null,
  organizations: readonly OrganizationChoice[] | null,
): PublicAuthData | null {
  if (!auth || auth.credential === "api_key") return null;
  const { user, impersonator } = auth;
  return {
    user: {
      id: user.id,
      email: user.email,
      firstName: user.firstName ?? null,
      lastName: user.lastName ?? null,
      profilePictureUrl: user.profilePictureUrl ?? null,
    },
    organizationId: auth.organizationId,
    organizationName: auth.organizationName,
    role: auth.role,
    roles: [...auth.roles],
    permissions: [...auth.permissions],
    entitlements: [...auth.entitlements],
    featureFlags: [...auth.featureFlags],
    impersonator: impersonator && { email: impersonator.email, reason: impersonator.reason },
    organizations: organizations &&
      organizations.map(({ id, name, role, current }) => ({ id, name, role, current })),
  };
}

const SCRIPT_UNSAFE: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** `value` as JSON that is inert inside `<script type="application/json">` (same value parsed). */
export function serializeForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => SCRIPT_UNSAFE[char]);
}
