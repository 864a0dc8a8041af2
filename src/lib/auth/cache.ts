/**
 * A bounded LRU of sessions already opened and verified, keyed by the sealed cookie value itself.
 *
 * Why it is safe: an entry is only a memo of work whose result cannot change before the entry
 * expires. The cookie value is immutable and matched exactly (a different or tampered seal is a
 * different key, with no hash to collide), and each entry expires no later than its access
 * token's `exp` minus the refresh margin, when the full path runs again. What it does not change:
 * revocation. Verification never consulted WorkOS anyway (a stateless JWT is valid until `exp`),
 * so a revoked session lives exactly as long as before. Only successes are cached; every failure
 * takes the full path each time.
 *
 * Why the seal itself is the key: it is ciphertext, held by the process that holds the password
 * to open it and the tokens it opened to, so a digest would hide nothing from a memory dump,
 * while hashing 2 KB on every signed-in request cost measurable time. The price is memory: about
 * 2 KB of key per entry (see `SESSION_CACHE_SIZE`).
 *
 * @module
 */

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
