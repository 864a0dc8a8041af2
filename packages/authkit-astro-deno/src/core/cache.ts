/**
 * A bounded LRU of sessions already opened and verified, keyed by the sealed cookie value itself.
 *
 * Why it is safe: an entry is only a memo of work whose result cannot change before the entry
 * expires. The seal is immutable and matched exactly (a different or tampered seal is a different
 * key, with no hash to collide), and each entry expires no later than its access token's `exp`
 * minus the refresh margin, when the full path runs again. Revocation is not its concern: a hit
 * is still checked against the revoked session ids (`revocations.ts`, an in-memory map kept
 * current from Deno KV) before it is served. Only successes are cached; every failure takes the
 * full path each time.
 *
 * Why the seal itself is the key: it is ciphertext, held by the process that holds the password
 * to open it and the tokens it opened to, so a digest would hide nothing from a memory dump,
 * while hashing 2 KB on every signed-in request cost measurable time. The key must be the seal
 * and nothing more: iron-session ignores whatever follows `~`, outside the HMAC, so callers
 * normalise the cookie first (`normalizeSeal` in `session-cookie.ts`, S42).
 *
 * Bounds (S42): entries and bytes (each entry's size is estimated once, when stored), and expired
 * entries are swept from time to time instead of waiting for eviction. A stored key is copied to
 * a flat string of its own: a value sliced out of a `Cookie` header would otherwise keep the
 * whole header alive, tens of kilobytes a hostile client chooses.
 *
 * @module
 */

/** How often `set` drops every expired entry (ms): a sweep walks the whole map. */
export const SWEEP_INTERVAL_MS = 60_000;

/** Bounds of an `ExpiringLru` beyond its entry count. */
export interface LruOptions<V> {
  /** Upper bound on the summed `sizeOf` of the entries held. */
  maxBytes?: number;
  /** Estimated bytes one entry costs, called once when it is stored. Default: the key's length. */
  sizeOf?: (key: string, value: V) => number;
}

interface Entry<V> {
  key: string;
  value: V;
  expiresAt: number;
  bytes: number;
}

/** Stores up to `maxEntries` values (and `maxBytes` of them), each until its own expiry. */
export class ExpiringLru<V> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  #sizeOf: (key: string, value: V) => number;
  #entries = new Map<string, Entry<V>>();
  #bytes = 0;
  #nextSweepAt = -Infinity;

  constructor(maxEntries: number, options: LruOptions<V> = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.#sizeOf = options.sizeOf ?? ((key) => key.length);
  }

  /** The value for `key` if present and not expired at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    // Re-insert under the stored key, not the caller's string (which may be a slice of a large
    // header): Map order is the recency order.
    this.#entries.set(entry.key, entry);
    return entry.value;
  }

  /**
   * Stores `value` until `expiresAt` (ms), evicting the least recently used entries while over a
   * bound. With `now`, expired entries are swept at most once per `SWEEP_INTERVAL_MS`. An entry
   * larger than `maxBytes` on its own is not stored.
   */
  set(key: string, value: V, expiresAt: number, now?: number): void {
    this.delete(key);
    if (now !== undefined && now >= this.#nextSweepAt) {
      this.#nextSweepAt = now + SWEEP_INTERVAL_MS;
      this.sweep(now);
    }
    const bytes = this.#sizeOf(key, value);
    if (bytes > this.maxBytes) return;
    const stored = copyString(key);
    this.#entries.set(stored, { key: stored, value, expiresAt, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      this.delete(this.#entries.keys().next().value!);
    }
  }

  /** Drops every entry expired at `now`. */
  sweep(now: number): void {
    for (const entry of this.#entries.values()) {
      if (entry.expiresAt <= now) this.delete(entry.key);
    }
  }

  /**
   * Forgets every entry whose value `matches`: a walk of the whole map, for rare events (a user's
   * claims changed at WorkOS), never on a request's path.
   */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const entry of this.#entries.values()) {
      if (matches(entry.value)) this.delete(entry.key);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The summed estimated size of the entries held. */
  get bytes(): number {
    return this.#bytes;
  }
}

/**
 * A flat copy of `text` that shares no memory with the string it came from. V8 represents a
 * `slice` of a long string as a view that keeps the whole original alive; a round trip through
 * bytes is the one portable way to get a string of its own. Only paid when storing (a cache
 * miss, next to ~0.5 ms of unsealing and verifying).
 */
function copyString(text: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/**
 * Per-key values from a slow source (WorkOS lists), each kept for `ttlMs`, with one fetch per
 * key at a time: concurrent page views of one user share it. `entries` may also hold `null`, a
 * remembered failure that `load` does not answer from (the caller decides what it means).
 */
export class CachedLoader<V> {
  readonly entries: ExpiringLru<V | null>;
  #inFlight = new Map<string, Promise<V>>();
  #fetch: (key: string) => Promise<V>;
  #now: () => number;
  #ttlMs: number;

  constructor(
    fetch: (key: string) => Promise<V>,
    now: () => number,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.entries = new ExpiringLru(options.maxEntries);
    this.#fetch = fetch;
    this.#now = now;
    this.#ttlMs = options.ttlMs;
  }

  /** The cached value, else the one fetch in flight for `key`; rejects as `fetch` does. */
  load(key: string): Promise<V> {
    const cached = this.entries.get(key, this.#now());
    if (cached) return Promise.resolve(cached);
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const fetching = this.#fetch(key).then((value) => {
      this.entries.set(key, value, this.#now() + this.#ttlMs, this.#now());
      return value;
    }).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, fetching);
    return fetching;
  }

  /**
   * A fetch of `key` made now, past the cache and any fetch already in flight (which may have
   * been sent before the change the caller must see); its answer is not kept.
   */
  fetchFresh(key: string): Promise<V> {
    return this.#fetch(key);
  }

  /** Forgets `key`'s value, so the next `load` fetches it again. */
  drop(key: string): void {
    this.entries.delete(key);
  }
}
