/**
 * The shared state on Deno KV: FoundationDB on Deno Deploy (the database attached to the app),
 * SQLite locally. Every entry is written with `expireIn` *and* its expiry in the value, because
 * `expireIn` is only the earliest time KV may delete it; readers trust the value's `expiresAt`, and
 * refresh records only by their own clock (S56).
 *
 * @module
 */
import {
  FEED_TTL_MS,
  isLive,
  MAX_CLOCK_SKEW_MS,
  type RefreshRecord,
  type SharedState,
  type SharedStateStats,
} from "./store.ts";
import { mergeUserChange, type Revocation, splitFeed, type UserChange } from "./feed.ts";

/** Every key this app writes starts with this, so the app can share a database. */
export const KV_PREFIX = "authkit";
const REFRESH = [KV_PREFIX, "refresh"] as const;
const REVOKED = [KV_PREFIX, "revoked"] as const;
const FEED = [KV_PREFIX, "revocation_feed"] as const;
const EVENTS = [KV_PREFIX, "webhook_event"] as const;
const USER_CHANGES = [KV_PREFIX, "user_change"] as const;

/**
 * KV may delete an entry once its `expireIn` passes by the clock of whoever checks; a writer whose
 * clock is slow would otherwise have its claim deleted early. Readers decide liveness themselves.
 */
const EXPIRY_SLACK_MS = 2 * MAX_CLOCK_SKEW_MS;
/** Bound on remembered first sightings of refresh records (S56). */
const MAX_SIGHTINGS = 10_000;

/** How often a call that met a locked local database is tried again, and the wait between. */
const LOCKED_RETRIES = 20;
const LOCKED_BACKOFF_MS = 10;

/**
 * Runs a KV call, trying again while a local SQLite file is locked by another process: SQLite
 * allows one writer at a time and Deno KV answers a busy file at once with "database is locked"
 * (measured: two processes committing at once saw it on 60% of their writes). Retrying is safe:
 * a call that failed this way changed nothing, and atomic checks still decide who wins. Deno
 * Deploy's FoundationDB never answers this.
 */
export async function retryWhileLocked<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await call();
    } catch (error) {
      const locked = error instanceof Error && /database is locked/i.test(error.message);
      if (!locked || attempt >= LOCKED_RETRIES) throw error;
      await new Promise((resolve) =>
        setTimeout(resolve, LOCKED_BACKOFF_MS * Math.random() * attempt)
      );
    }
  }
}

/** The shared state on an open KV database. */
export function createKvSharedState(kv: Deno.Kv, now: () => number = Date.now): SharedState {
  const stats: SharedStateStats = { reads: 0, writes: 0, polls: 0 };
  // When this instance first saw each version of a refresh record, by its own clock (S56).
  const firstSeen = new Map<string, number>();

  function sighting(key: Deno.KvKey, versionstamp: string, at: number): number {
    const id = `${key.join("\u0000")}@${versionstamp}`;
    const seen = firstSeen.get(id);
    if (seen !== undefined) return seen;
    firstSeen.set(id, at);
    if (firstSeen.size > MAX_SIGHTINGS) firstSeen.delete(firstSeen.keys().next().value!);
    return at;
  }

  /**
   * A refresh record as this instance honours it: until its writer's `expiresAt`, but never past
   * `ttlMs` after this instance first saw this version, by its own clock, so a writer whose clock
   * runs ahead cannot stretch a claim (S56), while a claim left by a crash still ends on time.
   */
  function liveRefresh(entry: Deno.KvEntryMaybe<RefreshRecord>): RefreshRecord | null {
    if (entry.value === null || entry.versionstamp === null) return null;
    const seenAt = sighting(entry.key, entry.versionstamp, now());
    const until = Math.min(entry.value.expiresAt, seenAt + (entry.value.ttlMs ?? Infinity));
    return until > now() ? entry.value : null;
  }

  /** Writes a refresh record, and counts this moment as its first sighting here. */
  async function putRefresh(
    seen: Deno.KvEntryMaybe<RefreshRecord> | null,
    key: Deno.KvKey,
    record: RefreshRecord,
  ): Promise<boolean> {
    const expireIn = (record.ttlMs ?? 0) + EXPIRY_SLACK_MS;
    const result = await commit(() => {
      const op = kv.atomic();
      return (seen ? op.check(seen) : op).set(key, record, { expireIn });
    });
    if (result.ok) sighting(key, result.versionstamp, now());
    return result.ok;
  }

  function get<T>(key: Deno.KvKey): Promise<Deno.KvEntryMaybe<T>> {
    stats.reads++;
    return retryWhileLocked(() => kv.get<T>(key));
  }

  function commit(
    op: () => Deno.AtomicOperation,
  ): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    stats.writes++;
    return retryWhileLocked(() => op().commit());
  }

  /** Adds the revoked entry and its feed entry to an atomic operation. */
  function withRevocation(op: Deno.AtomicOperation, { sid, expiresAt }: Revocation) {
    const writtenAt = now();
    return op
      .set([...REVOKED, sid], { expiresAt }, { expireIn: Math.max(1, expiresAt - writtenAt) })
      .set([...FEED, writtenAt, sid], { sid, expiresAt }, { expireIn: FEED_TTL_MS });
  }

  return {
    mode: "kv",
    ready: Promise.resolve(),
    stats,
    async claimRefresh(hash, ttlMs) {
      const seen = await get<RefreshRecord>([...REFRESH, hash]);
      const live = liveRefresh(seen);
      if (live) return live;
      const claim: RefreshRecord = { state: "claimed", expiresAt: now() + ttlMs, ttlMs };
      if (await putRefresh(seen, seen.key, claim)) return null;
      // Another instance claimed it between our read and write: report its record.
      return liveRefresh(await get<RefreshRecord>([...REFRESH, hash])) ?? claim;
    },
    async holdRefresh(hash, ttlMs) {
      const seen = await get<RefreshRecord>([...REFRESH, hash]);
      if (seen.value?.state !== "claimed") return;
      await putRefresh(seen, seen.key, { state: "claimed", expiresAt: now() + ttlMs, ttlMs });
    },
    async settleRefresh(hash, outcome, ttlMs) {
      await putRefresh(null, [...REFRESH, hash], { ...outcome, expiresAt: now() + ttlMs, ttlMs });
    },
    async readRefresh(hash) {
      return liveRefresh(await get<RefreshRecord>([...REFRESH, hash]));
    },
    async revoke(revocation) {
      const seen = await get<{ expiresAt: number }>([...REVOKED, revocation.sid]);
      // Already revoked, by a sign-out or a webhook on any instance: nothing to write (S53).
      if (isLive(seen.value, now())) return false;
      return (await commit(() => withRevocation(kv.atomic().check(seen), revocation))).ok;
    },
    async isRevoked(sid) {
      const entry = await get<{ expiresAt: number }>([...REVOKED, sid]);
      return isLive(entry.value, now());
    },
    async revocationsSince(sinceMs) {
      stats.polls++;
      const live: (Revocation | UserChange)[] = [];
      let cursor = sinceMs;
      const entries = await retryWhileLocked(() =>
        Array.fromAsync(
          kv.list<Revocation | UserChange>({ prefix: [...FEED], start: [...FEED, sinceMs] }),
        )
      );
      for (const entry of entries) {
        const writtenAt = entry.key[FEED.length];
        if (typeof writtenAt === "number") cursor = Math.max(cursor, writtenAt);
        if (isLive(entry.value, now())) live.push(entry.value);
      }
      return splitFeed(live, cursor);
    },
    async changeUserForEvent(eventId, eventTtlMs, event) {
      // Two events of one user on two instances at once: the loser reads again and merges.
      for (let attempt = 0; attempt < LOCKED_RETRIES; attempt++) {
        stats.reads++;
        const [seen, previous] = await retryWhileLocked(() =>
          kv.getMany<[{ expiresAt: number }, UserChange]>([
            [...EVENTS, eventId],
            [...USER_CHANGES, event.userId],
          ])
        );
        if (isLive(seen.value, now())) return false;
        const change = mergeUserChange(
          isLive(previous.value, now()) ? previous.value : null,
          event,
        );
        const writtenAt = now();
        const result = await commit(() =>
          kv.atomic().check(seen).check(previous)
            .set(seen.key, { expiresAt: now() + eventTtlMs }, { expireIn: eventTtlMs })
            .set(previous.key, change, { expireIn: Math.max(1, change.expiresAt - writtenAt) })
            .set([...FEED, writtenAt, `user:${event.userId}`], change, { expireIn: FEED_TTL_MS })
        );
        if (result.ok) return true;
      }
      throw new Error("The user's change record kept changing under this write");
    },
    async sessionStatus(sid, userId) {
      stats.reads++;
      const [revoked, change] = await retryWhileLocked(() =>
        kv.getMany<[{ expiresAt: number }, UserChange]>([
          [...REVOKED, sid],
          [...USER_CHANGES, userId],
        ])
      );
      return {
        revoked: isLive(revoked.value, now()),
        userChange: isLive(change.value, now()) ? change.value : null,
      };
    },
    async revokeForEvent(eventId, eventTtlMs, revocation) {
      const seen = await get<{ expiresAt: number }>([...EVENTS, eventId]);
      if (isLive(seen.value, now())) return false;
      const remember = () =>
        kv.atomic().check(seen)
          .set(seen.key, { expiresAt: now() + eventTtlMs }, { expireIn: eventTtlMs });
      return (await commit(() => withRevocation(remember(), revocation))).ok;
    },
    close() {
      kv.close();
    },
  };
}
