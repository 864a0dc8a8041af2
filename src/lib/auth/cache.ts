/**
 * A bounded LRU of sessions already opened and verified, keyed by a SHA-256 of the cookie value.
 *
 * Why it is safe: an entry is only a memo of work whose result cannot change before the entry
 * expires. The cookie value is immutable (a different session is a different key), and each entry
 * expires no later than its access token's `exp` minus the refresh margin, when the full path
 * runs again. What it does not change: revocation. Verification never consulted WorkOS anyway
 * (a stateless JWT is valid until `exp`), so a revoked session lives exactly as long as before.
 * Only successes are cached; every failure takes the full path each time.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Stores up to `maxEntries` values, each until its own expiry. */
export class ExpiringLru<V> {
  readonly maxEntries: number;
  #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  /** The value for `key` if present and not expired at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#entries.set(key, entry); // re-insert: Map order is the recency order
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ms), evicting the least recently used entry when full. */
  set(key: string, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    if (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The cache key for a cookie value: its SHA-256, so the map never holds a session in clear.
 * Synchronous `node:crypto` on purpose: this runs on every signed-in request, and Web Crypto's
 * `digest()` is an async op that costs ~20 µs against ~2.5 µs here (`deno task bench`).
 */
export function cacheKey(cookieValue: string): string {
  return createHash("sha256").update(cookieValue).digest("hex");
}
