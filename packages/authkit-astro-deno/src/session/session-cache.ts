/**
 * The bounds of the verified-session cache (S42) and what one entry is estimated to cost.
 *
 * @module
 */
import type { AuthContext } from "./context.ts";

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
