/**
 * Step-up: whether the user signed in recently enough for a sensitive action, read from the
 * verified access token's `auth_time` (WorkOS keeps it across refreshes, so a refresh does not
 * make an old sign-in look fresh).
 *
 * @module
 */
import { MAX_AGE_LIMIT_SECONDS } from "../core/hints.ts";
import { CLOCK_TOLERANCE_SECONDS } from "../workos/tokens.ts";

/**
 * Whether `authTime` (Unix seconds, from a verified token) lies within the last `maxAgeSeconds`
 * at `nowMs`. Fails closed: no `auth_time`, one that is not an integer, one further in the future
 * than the clock skew accepted for `exp` and `iat` (S27), or a `maxAgeSeconds` that is not a
 * whole number of seconds from 0 to a year, is never recent (S59).
 */
export function isRecent(
  authTime: number | null | undefined,
  maxAgeSeconds: number,
  nowMs: number,
): boolean {
  if (!isMaxAge(maxAgeSeconds)) return false;
  if (typeof authTime !== "number" || !Number.isSafeInteger(authTime)) return false;
  const nowSeconds = Math.floor(nowMs / 1000);
  // A little ahead is clock skew between WorkOS and this server, as for `iat` (S27); further is
  // a token no honest issuer minted.
  if (authTime > nowSeconds + CLOCK_TOLERANCE_SECONDS) return false;
  return nowSeconds - authTime <= maxAgeSeconds;
}

/** Whether `value` is a usable `max_age`: whole seconds from 0 (always sign in) to a year. */
export function isMaxAge(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 &&
    value <= MAX_AGE_LIMIT_SECONDS;
}
