/**
 * Revoked sessions, honoured by every instance: a sign-out on one instance, or a
 * `session.revoked` webhook from WorkOS, must make every instance refuse the old cookie within
 * seconds (S39, S40), although a stateless access token would otherwise be valid until `exp`.
 *
 * Each instance keeps the revoked session ids it knows of in memory, so a signed-in page view
 * served from the verified-session cache checks a `Map`, not KV. It learns of other instances'
 * revocations by polling a small feed in shared state about once a second (not per request), and
 * a cache miss asks shared state directly, so a fresh instance is right before its first poll.
 *
 * @module
 */
import { AuthError } from "../core/errors.ts";
import { logSink } from "../core/log.ts";
import { FEED_OVERLAP_MS, FEED_TTL_MS, type SharedState } from "./store.ts";
import { mergeUserChange, type UserChange, type UserChangeEvent } from "./feed.ts";
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_AGE_SECONDS, readSessionId } from "../workos/tokens.ts";

/** A revoked id is kept as long as any access token naming it could still verify. */
export const REVOCATION_TTL_MS = (MAX_TOKEN_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000;
/** How often an instance polls the revocation feed. */
export const REVOCATION_POLL_MS = 1_000;
const MAX_LOCAL_REVOCATIONS = 100_000;

/** This instance's view of revoked sessions. */
export interface Revocations {
  /** Whether `sid` is known here to be revoked. Synchronous: the cache-hit path calls it. */
  has(sid: string): boolean;
  /** `has`, then shared state: for cache misses. Rejects when shared state cannot be read. */
  isRevoked(sid: string): Promise<boolean>;
  /**
   * `isRevoked` for the session an access token (from our own seal) names; a token naming no
   * `sid` is refused by verification anyway. With `userId`, the same single read also learns the
   * user's change record (S69), which `userChange` then answers.
   */
  isTokenRevoked(accessToken: string, userId?: string): Promise<boolean>;
  /**
   * The live change record of `userId` known here (learned from the feed, a webhook, or a cache
   * miss's read). Synchronous: decided right before a session is cached.
   */
  userChange(userId: string): UserChange | undefined;
  /**
   * Records a user's change event in shared state for every instance, once per event id; this
   * instance learns it at once. False for a repeat delivery.
   */
  changeUserForEvent(eventId: string, eventTtlMs: number, event: UserChangeEvent): Promise<boolean>;
  /** Calls `listener` with a user's id whenever this instance learns of a change to them. */
  onUserChange(listener: (userId: string) => void): void;
  /**
   * Revokes `sid` here at once and in shared state for every other instance. True only for the
   * first revocation of `sid` across all instances; a repeat costs no write, and none at all in
   * shared state when this instance already knows (S53).
   */
  revoke(sid: string): Promise<boolean>;
  /** `revoke`, once per webhook event id across all instances; false for a repeat delivery. */
  revokeForEvent(eventId: string, eventTtlMs: number, sid: string): Promise<boolean>;
  /** Reads the feed once (what the poll does each second). */
  sync(): Promise<void>;
  /** Polls every `REVOCATION_POLL_MS` without keeping the process alive; returns `stop`. */
  startSync(): () => void;
}

/** Builds the revocation view over `store`. */
export function createRevocations(store: SharedState, now: () => number = Date.now): Revocations {
  const known = new Map<string, number>();
  const changes = new Map<string, UserChange>();
  const listeners: ((userId: string) => void)[] = [];
  // Start one feed lifetime back, so a new instance learns what is still on the feed.
  let cursor = now() - FEED_TTL_MS;
  let syncing: Promise<void> | undefined;
  let failing = false;

  function remember(sid: string, expiresAt: number): void {
    known.delete(sid);
    known.set(sid, expiresAt);
    if (known.size > MAX_LOCAL_REVOCATIONS) known.delete(known.keys().next().value!);
  }

  /** Keeps a user's change record; listeners hear of it only when it says something new. */
  function learnChange(change: UserChange): void {
    const previous = userChange(change.userId);
    // Records only grow newer (merged in shared state); the feed's overlap re-reads old ones.
    const same = previous?.changedAt === change.changedAt && previous.ended === change.ended &&
      previous.leftOrganizations.join() === change.leftOrganizations.join();
    if (previous && (previous.changedAt > change.changedAt || same)) return;
    changes.delete(change.userId);
    changes.set(change.userId, change);
    if (changes.size > MAX_LOCAL_REVOCATIONS) changes.delete(changes.keys().next().value!);
    for (const listener of listeners) listener(change.userId);
  }

  function userChange(userId: string): UserChange | undefined {
    const change = changes.get(userId);
    if (change && change.expiresAt <= now()) changes.delete(userId);
    return change && change.expiresAt > now() ? change : undefined;
  }

  function has(sid: string): boolean {
    const expiresAt = known.get(sid);
    if (expiresAt === undefined) return false;
    if (expiresAt > now()) return true;
    known.delete(sid);
    return false;
  }

  async function pull(): Promise<void> {
    try {
      const result = await store.revocationsSince(cursor - FEED_OVERLAP_MS);
      for (const { sid, expiresAt } of result.revocations) remember(sid, expiresAt);
      for (const change of result.userChanges) learnChange(change);
      // Feed keys carry the writers' clocks: one running ahead must not carry the cursor past
      // entries a correct clock writes next, so the cursor never passes this instance's own
      // clock, and each poll re-reads the skew a writer running behind may have (S54).
      cursor = Math.min(Math.max(cursor, result.cursor), now());
      failing = false;
    } catch (error) {
      // One line when polling starts failing, not one a second.
      if (!failing) logPollFailure(error);
      failing = true;
    }
  }

  const revocations: Revocations = {
    has,
    async isRevoked(sid) {
      if (has(sid)) return true;
      const revoked = await store.isRevoked(sid);
      if (revoked) remember(sid, now() + REVOCATION_TTL_MS);
      return revoked;
    },
    async isTokenRevoked(accessToken, userId) {
      const sid = readSessionId(accessToken);
      if (!sid) return false;
      if (userId === undefined) return await revocations.isRevoked(sid);
      if (has(sid)) return true;
      const status = await store.sessionStatus(sid, userId);
      if (status.userChange) learnChange(status.userChange);
      if (status.revoked) remember(sid, now() + REVOCATION_TTL_MS);
      return status.revoked;
    },
    userChange,
    async changeUserForEvent(eventId, eventTtlMs, event) {
      const first = await store.changeUserForEvent(eventId, eventTtlMs, event);
      learnChange(mergeUserChange(userChange(event.userId) ?? null, event));
      return first;
    },
    onUserChange(listener) {
      listeners.push(listener);
    },
    async revoke(sid) {
      if (has(sid)) return false;
      const expiresAt = now() + REVOCATION_TTL_MS;
      remember(sid, expiresAt);
      try {
        return await store.revoke({ sid, expiresAt });
      } catch (error) {
        known.delete(sid); // not recorded for other instances: a later sign-out tries again
        throw error;
      }
    },
    async revokeForEvent(eventId, eventTtlMs, sid) {
      const expiresAt = now() + REVOCATION_TTL_MS;
      const first = await store.revokeForEvent(eventId, eventTtlMs, { sid, expiresAt });
      remember(sid, expiresAt);
      return first;
    },
    sync() {
      syncing ??= pull().finally(() => (syncing = undefined));
      return syncing;
    },
    startSync() {
      const timer = setInterval(() => void revocations.sync(), REVOCATION_POLL_MS);
      Deno.unrefTimer(timer);
      return () => clearInterval(timer);
    },
  };
  return revocations;
}

function logPollFailure(error: unknown): void {
  logSink.write(JSON.stringify({
    time: new Date().toISOString(),
    level: "warn",
    event: "revocation_poll_failed",
    cause: error instanceof Error ? error.name : "Error",
  }));
}

/**
 * Throws unless shared state says the session is live: `session_revoked` when some instance
 * signed it out or WorkOS revoked it, `shared_state_unavailable` when KV could not be asked
 * (fail closed: an unanswered revocation check is not a pass).
 */
export async function assertNotRevoked(isRevoked: () => Promise<boolean>): Promise<void> {
  let revoked: boolean;
  try {
    revoked = await isRevoked();
  } catch (error) {
    throw new AuthError("shared_state_unavailable", { cause: error });
  }
  if (revoked) throw new AuthError("session_revoked");
}
