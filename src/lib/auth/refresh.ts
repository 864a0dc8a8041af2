/**
 * Single-flight refresh. WorkOS refresh tokens are single-use, so two requests refreshing the same
 * token at once would sign the user out (authkit-nextjs #28). Concurrent callers share one
 * exchange, and its result is remembered briefly for requests that were already on their way
 * with the old cookie.
 *
 * The map is per process: instances in other regions do not share it (see the README's scaling
 * note).
 *
 * @module
 */

/** How long a finished refresh answers for its old refresh token. */
export const REFRESH_REUSE_WINDOW_MS = 30_000;
const MAX_REMEMBERED = 10_000;

interface Entry<T> {
  promise: Promise<T>;
  settledAt?: number;
}

/** Wraps `exchange` so each refresh token is exchanged at most once per reuse window. */
export function createSingleFlight<T>(
  exchange: (refreshToken: string) => Promise<T>,
  now: () => number = Date.now,
): (refreshToken: string) => Promise<T> {
  const entries = new Map<string, Entry<T>>();

  function prune(): void {
    for (const [token, entry] of entries) {
      // An exchange in flight is never dropped: a second caller would spend the token again.
      if (entry.settledAt === undefined) continue;
      const stale = now() - entry.settledAt > REFRESH_REUSE_WINDOW_MS;
      if (stale || entries.size > MAX_REMEMBERED) entries.delete(token);
    }
  }

  return function refreshOnce(refreshToken) {
    prune();
    const existing = entries.get(refreshToken);
    if (existing) return existing.promise;
    const entry: Entry<T> = { promise: exchange(refreshToken) };
    entries.set(refreshToken, entry);
    entry.promise.then(
      () => (entry.settledAt = now()),
      // Failures are not remembered: a transient error must be retryable on the next request.
      () => entries.delete(refreshToken),
    );
    return entry.promise;
  };
}
