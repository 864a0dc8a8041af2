/**
 * The shared state on Deno KV: FoundationDB on Deno Deploy (the database attached to the app),
 * SQLite locally. Every entry is written with `expireIn` *and* its expiry in the value, because
 * `expireIn` is only the earliest time KV may delete it; readers trust the value's `expiresAt`.
 *
 * @module
 */
import { logSink } from "../core/log.ts";
import {
  createMemorySharedState,
  FEED_TTL_MS,
  isLive,
  type RefreshRecord,
  type Revocation,
  type SharedState,
  type SharedStateMode,
  type SharedStateStats,
} from "./store.ts";

/** Every key this app writes starts with this, so the app can share a database. */
export const KV_PREFIX = "authkit";
const REFRESH = [KV_PREFIX, "refresh"] as const;
const REVOKED = [KV_PREFIX, "revoked"] as const;
const FEED = [KV_PREFIX, "revocation_feed"] as const;
const EVENTS = [KV_PREFIX, "webhook_event"] as const;

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

  /** Sets `key` only if it still holds what `seen` read; false when another writer won. */
  async function setIfUnchanged(
    seen: Deno.KvEntryMaybe<unknown>,
    value: { expiresAt: number },
  ): Promise<boolean> {
    const expireIn = Math.max(1, value.expiresAt - now());
    return (await commit(() => kv.atomic().check(seen).set(seen.key, value, { expireIn }))).ok;
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
      if (isLive(seen.value, now())) return seen.value;
      const claim: RefreshRecord = { state: "claimed", expiresAt: now() + ttlMs };
      if (await setIfUnchanged(seen, claim)) return null;
      // Another instance claimed it between our read and write: report its record.
      const winner = await get<RefreshRecord>([...REFRESH, hash]);
      return isLive(winner.value, now())
        ? winner.value
        : { state: "claimed", expiresAt: now() + ttlMs };
    },
    async settleRefresh(hash, outcome, ttlMs) {
      const record = { ...outcome, expiresAt: now() + ttlMs };
      await commit(() => kv.atomic().set([...REFRESH, hash], record, { expireIn: ttlMs }));
    },
    async readRefresh(hash) {
      const entry = await get<RefreshRecord>([...REFRESH, hash]);
      return isLive(entry.value, now()) ? entry.value : null;
    },
    async revoke(revocation) {
      await commit(() => withRevocation(kv.atomic(), revocation));
    },
    async isRevoked(sid) {
      const entry = await get<{ expiresAt: number }>([...REVOKED, sid]);
      return isLive(entry.value, now());
    },
    async revocationsSince(sinceMs) {
      stats.polls++;
      const revocations: Revocation[] = [];
      let cursor = sinceMs;
      const entries = await retryWhileLocked(() =>
        Array.fromAsync(kv.list<Revocation>({ prefix: [...FEED], start: [...FEED, sinceMs] }))
      );
      for (const entry of entries) {
        const writtenAt = entry.key[FEED.length];
        if (typeof writtenAt === "number") cursor = Math.max(cursor, writtenAt);
        if (isLive(entry.value, now())) revocations.push(entry.value);
      }
      return { revocations, cursor };
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

/**
 * Opens KV at `path` (a local file; unset: the default database, on Deno Deploy the one attached
 * to the app), falling back to the in-process store with one clear log line when KV is not
 * enabled or cannot be opened. Returns at once; `ready` settles when the choice is made.
 */
export function openSharedState(path: string | undefined): SharedState {
  let store: SharedState | undefined;
  const ready = open(path).then((opened) => void (store = opened));
  const use = async () => {
    await ready;
    return store!;
  };
  return {
    get mode(): SharedStateMode {
      return store?.mode ?? "opening";
    },
    ready,
    get stats() {
      return store?.stats ?? { reads: 0, writes: 0, polls: 0 };
    },
    claimRefresh: async (key, ttlMs) => (await use()).claimRefresh(key, ttlMs),
    settleRefresh: async (key, outcome, ttlMs) => (await use()).settleRefresh(key, outcome, ttlMs),
    readRefresh: async (key) => (await use()).readRefresh(key),
    revoke: async (revocation) => (await use()).revoke(revocation),
    isRevoked: async (sid) => (await use()).isRevoked(sid),
    revocationsSince: async (sinceMs) => (await use()).revocationsSince(sinceMs),
    revokeForEvent: async (eventId, ttlMs, revocation) =>
      (await use()).revokeForEvent(eventId, ttlMs, revocation),
    close: () => void ready.then(() => store!.close()),
  };
}

async function open(path: string | undefined): Promise<SharedState> {
  if (typeof Deno.openKv !== "function") {
    return fallBack('Deno KV is not enabled (add "unstable": ["kv"] to deno.json)');
  }
  try {
    return createKvSharedState(await Deno.openKv(path));
  } catch (error) {
    const where = path ? `"${path}"` : "the default database";
    return fallBack(`Deno KV at ${where} could not be opened (${errorName(error)})`);
  }
}

function fallBack(reason: string): SharedState {
  logSink.write(JSON.stringify({
    time: new Date().toISOString(),
    level: "warn",
    event: "shared_state_fallback",
    message: `${reason}: using in-process state, correct for a single instance only`,
  }));
  return createMemorySharedState();
}

function errorName(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return "no permission: grant --allow-read and --allow-write for the path";
  }
  return error instanceof Error ? error.name : "unknown error";
}
