/**
 * State that must hold across every instance of the app, not just this process: refresh claims
 * (a refresh token is spent once across all instances), revoked sessions, and webhook events
 * already handled. Deno Deploy runs many isolates in several regions, so this lives in Deno KV
 * (`shared-state-kv.ts`); this module holds the interface and the in-process implementation used
 * when KV is unavailable (one instance only).
 *
 * The cookie stays the session: nothing here is needed to serve a signed-in page from the
 * verified-session cache. Keys never hold a raw token (`hashToken`), and a session is only ever
 * stored as a seal, already encrypted with the cookie password.
 *
 * @module
 */

import {
  type FeedPage,
  mergeUserChange,
  type Revocation,
  type SessionStatus,
  splitFeed,
  type UserChange,
  type UserChangeEvent,
} from "./feed.ts";

export type { FeedPage, Revocation, SessionStatus, UserChange, UserChangeEvent };

/** Which implementation is active; `/healthz` reports it. */
export type SharedStateMode = "kv" | "memory" | "opening";

/**
 * A refresh claim and its outcome, shared by every instance that holds the same token. `ttlMs` is
 * how long a reader honours the record from when it first sees it, by the reader's own clock: the
 * writer's `expiresAt` is only a hint, since a writer with a fast clock would otherwise block the
 * token for as long as its clock is ahead (S56).
 */
export type RefreshRecord =
  & ({ state: "claimed" } | { state: "done"; sealed: string } | { state: "failed"; code: string })
  & { expiresAt: number; ttlMs?: number };

/** An outcome a claimant publishes. */
export type RefreshOutcome =
  | { state: "done"; sealed: string }
  | { state: "failed"; code: string };

/**
 * Counts of store operations, for `/healthz` and `deno task bench`: reads and writes made for
 * requests, and polls of the revocation feed (the background loop, about one a second).
 */
export interface SharedStateStats {
  reads: number;
  writes: number;
  polls: number;
}

/** What the auth layer shares across instances. Every method may reject (KV down). */
export interface SharedState {
  /** `"opening"` until `ready` settles. */
  readonly mode: SharedStateMode;
  /**
   * Why shared state was configured (`DENO_KV_PATH`, or Deno Deploy) but this process fell back
   * to memory, in words fit for a public probe (no host or path: S64); `/healthz` answers 503
   * with it. Undefined when all is as configured.
   */
  readonly degraded?: string;
  /** Settles once the store is open (or has fallen back to memory); never rejects. */
  readonly ready: Promise<void>;
  readonly stats: SharedStateStats;
  /**
   * Claims the refresh of `key` for `ttlMs` unless a live record exists. Resolves to `null` when
   * this caller now holds the claim, else to the live record (another claim, or its outcome).
   */
  claimRefresh(key: string, ttlMs: number): Promise<RefreshRecord | null>;
  /** Extends the caller's live claim of `key` by `ttlMs` (while its exchange still runs). */
  holdRefresh(key: string, ttlMs: number): Promise<void>;
  /** Publishes the claimant's outcome, readable by `readRefresh` and `claimRefresh` for `ttlMs`. */
  settleRefresh(key: string, outcome: RefreshOutcome, ttlMs: number): Promise<void>;
  /** The live record of `key`, if any. */
  readRefresh(key: string): Promise<RefreshRecord | null>;
  /**
   * Records `sid` as revoked until `expiresAt` and appends it to the revocation feed, in one
   * atomic check-and-set: true only for the first caller across all instances; a session already
   * revoked costs one read and no write (S53).
   */
  revoke(revocation: Revocation): Promise<boolean>;
  /** Whether `sid` is revoked now. */
  isRevoked(sid: string): Promise<boolean>;
  /**
   * Revocations written at or after `sinceMs` (the writer's clock), and the newest write time seen.
   * Polled about once a second per instance; `kv.watch` does not cross processes that share a
   * local SQLite file, so polling is what works everywhere.
   */
  revocationsSince(sinceMs: number): Promise<FeedPage>;
  /**
   * `revoke`, as the effect of webhook event `eventId`, in one atomic step with remembering the
   * event for `eventTtlMs`: true only for the first delivery across all instances.
   */
  revokeForEvent(eventId: string, eventTtlMs: number, revocation: Revocation): Promise<boolean>;
  /**
   * Merges a user's change event into their record and puts the record on the feed, in one
   * atomic step with remembering event `eventId`: true only for its first delivery (S69).
   */
  changeUserForEvent(eventId: string, eventTtlMs: number, event: UserChangeEvent): Promise<boolean>;
  /**
   * What a cache miss must know of a session, in one read: whether `sid` is revoked, and the
   * live change record of its user, if any.
   */
  sessionStatus(sid: string, userId: string): Promise<SessionStatus>;
  /** Releases the store (tests, shutdown). */
  close(): void;
}

/** The SHA-256 of a token, hex: what keys the token's records, so no store holds the token. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether a record read back is still live: KV may keep an entry past its `expireIn`. */
export function isLive(record: { expiresAt: number } | null | undefined, now: number): boolean {
  return record !== null && record !== undefined && record.expiresAt > now;
}

/** How long the revocation feed keeps an entry: past every instance's re-reads of it. */
export const FEED_TTL_MS = 120_000;

/**
 * The clock error between instances the revocation feed tolerates without losing an entry (S54):
 * feed keys carry the writer's clock, so each poll re-reads this much of the past, and the
 * reader's cursor never moves past its own clock (`revocations.ts`).
 */
export const MAX_CLOCK_SKEW_MS = 30_000;

/** An instance's poll re-reads this much of the feed's past: clock skew plus commit delays. */
export const FEED_OVERLAP_MS = MAX_CLOCK_SKEW_MS + 15_000;

/** Upper bound on entries kept in memory per kind, oldest dropped first. */
const MAX_MEMORY_ENTRIES = 100_000;

/** The in-process store: correct for one instance, and what runs when KV cannot be opened. */
export function createMemorySharedState(now: () => number = Date.now): SharedState {
  const refreshes = new Map<string, RefreshRecord>();
  const revoked = new Map<string, number>();
  const feed: { entry: Revocation | UserChange; writtenAt: number }[] = [];
  const userChanges = new Map<string, UserChange>();
  const events = new Map<string, number>();
  const stats: SharedStateStats = { reads: 0, writes: 0, polls: 0 };

  function live<V extends { expiresAt: number }>(map: Map<string, V>, key: string) {
    const record = map.get(key);
    if (record && !isLive(record, now())) map.delete(key);
    return isLive(record, now()) ? record! : null;
  }

  function revokeNow({ sid, expiresAt }: Revocation): void {
    boundedSet(revoked, sid, expiresAt);
    append({ sid, expiresAt });
  }

  function append(entry: Revocation | UserChange): void {
    feed.push({ entry, writtenAt: now() });
    while (feed.length > 0 && feed[0].writtenAt < now() - FEED_TTL_MS) feed.shift();
  }

  /** Whether `eventId` was handled; if not, remembers it (the atomic step of one process). */
  function seenEvent(eventId: string, eventTtlMs: number): boolean {
    stats.reads++;
    if ((events.get(eventId) ?? 0) > now()) return true;
    stats.writes++;
    boundedSet(events, eventId, now() + eventTtlMs);
    return false;
  }

  return {
    mode: "memory",
    ready: Promise.resolve(),
    stats,
    claimRefresh(key, ttlMs) {
      stats.reads++;
      const existing = live(refreshes, key);
      if (existing) return Promise.resolve(existing);
      stats.writes++;
      boundedSet(refreshes, key, { state: "claimed", expiresAt: now() + ttlMs, ttlMs });
      return Promise.resolve(null);
    },
    holdRefresh(key, ttlMs) {
      if (live(refreshes, key)?.state !== "claimed") return Promise.resolve();
      stats.writes++;
      boundedSet(refreshes, key, { state: "claimed", expiresAt: now() + ttlMs, ttlMs });
      return Promise.resolve();
    },
    settleRefresh(key, outcome, ttlMs) {
      stats.writes++;
      boundedSet(refreshes, key, { ...outcome, expiresAt: now() + ttlMs, ttlMs });
      return Promise.resolve();
    },
    readRefresh(key) {
      stats.reads++;
      return Promise.resolve(live(refreshes, key));
    },
    revoke(revocation) {
      stats.reads++;
      if ((revoked.get(revocation.sid) ?? 0) > now()) return Promise.resolve(false);
      stats.writes++;
      revokeNow(revocation);
      return Promise.resolve(true);
    },
    isRevoked(sid) {
      stats.reads++;
      return Promise.resolve((revoked.get(sid) ?? 0) > now());
    },
    revocationsSince(sinceMs) {
      stats.polls++;
      const entries = feed.filter((item) => item.writtenAt >= sinceMs);
      const cursor = Math.max(sinceMs, ...entries.map((item) => item.writtenAt));
      return Promise.resolve(splitFeed(entries.map((item) => item.entry), cursor));
    },
    revokeForEvent(eventId, eventTtlMs, revocation) {
      if (seenEvent(eventId, eventTtlMs)) return Promise.resolve(false);
      revokeNow(revocation);
      return Promise.resolve(true);
    },
    changeUserForEvent(eventId, eventTtlMs, event) {
      if (seenEvent(eventId, eventTtlMs)) return Promise.resolve(false);
      const change = mergeUserChange(live(userChanges, event.userId), event);
      boundedSet(userChanges, event.userId, change);
      append(change);
      return Promise.resolve(true);
    },
    sessionStatus(sid, userId) {
      stats.reads++;
      const isRevoked = (revoked.get(sid) ?? 0) > now();
      return Promise.resolve({ revoked: isRevoked, userChange: live(userChanges, userId) });
    },
    close() {},
  };
}

function boundedSet<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_MEMORY_ENTRIES) map.delete(map.keys().next().value!);
}
