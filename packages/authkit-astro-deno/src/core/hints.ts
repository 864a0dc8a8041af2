/**
 * The hints `/sign-in` and `/sign-up` accept and pass on to AuthKit: the organization to sign in
 * to (`?organizationId=`), the email to prefill (`?loginHint=`) and the oldest sign-in to accept
 * without asking again (`?maxAge=`, step-up). All come from a URL anyone
 * can craft, so each is checked against a narrow shape; anything else is dropped, and sign-in
 * proceeds without it (a stale or mangled link should still let the user sign in).
 *
 * @module
 */

/** A WorkOS organization id: `org_` and alphanumerics (26 of them in practice; bounded here). */
const ORGANIZATION_ID = /^org_[A-Za-z0-9]{1,64}$/;
/** RFC 5321 §4.5.3.1.3 caps a forward path at 256 octets, so an address at 254 characters. */
export const MAX_LOGIN_HINT_LENGTH = 254;
// One `@`, no whitespace or control characters, something on both sides: AuthKit validates the
// rest; this only keeps junk (and header or markup tricks) out of the authorization URL.
// deno-lint-ignore no-control-regex
const EMAIL = /^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$/;

/** Whether `value` has the shape of a WorkOS organization id. */
export function isOrganizationId(value: unknown): value is string {
  return typeof value === "string" && ORGANIZATION_ID.test(value);
}

/** Whether `value` is a plausible email address of sane length. */
export function isLoginHint(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_LOGIN_HINT_LENGTH && EMAIL.test(value);
}

/** The longest `?maxAge=` passed on (a year, in seconds). */
export const MAX_AGE_LIMIT_SECONDS = 365 * 24 * 60 * 60;

/**
 * `?maxAge=` as whole seconds (`0`…a year, digits only), or null. Sent to AuthKit as the OIDC
 * `max_age` by step-up (`requireRecentAuth`): AuthKit asks for credentials again when the last
 * sign-in is older. Dropping a malformed one only skips that prompt; the page that asked still
 * checks `auth_time` afterwards and fails closed (S59).
 */
export function readMaxAge(value: string | null): number | null {
  if (value === null || !/^\d{1,8}$/.test(value)) return null;
  const seconds = Number(value);
  return seconds <= MAX_AGE_LIMIT_SECONDS ? seconds : null;
}

/** The valid hints of a sign-in URL's query; invalid ones are left out. */
export function readSignInHints(
  params: URLSearchParams,
): { organizationId?: string; loginHint?: string; maxAge?: number } {
  const organizationId = params.get("organizationId");
  const loginHint = params.get("loginHint");
  const maxAge = readMaxAge(params.get("maxAge"));
  return {
    ...(isOrganizationId(organizationId) && { organizationId }),
    ...(isLoginHint(loginHint) && { loginHint }),
    ...(maxAge !== null && { maxAge }),
  };
}
