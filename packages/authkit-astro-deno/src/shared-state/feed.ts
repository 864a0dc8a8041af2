/**
 * What travels on the feed every instance polls: revoked ids (sessions, API keys) and changes to
 * users' claims.
 *
 * A change to a user's claims at WorkOS (S69): a role changed, a membership was added or removed,
 * the user was updated or deleted (`organization_membership.*`, `user.updated`, `user.deleted`).
 * The event carries no token; what it tells every instance is that access tokens of this user
 * issued before the change say something WorkOS no longer says, so each such session must
 * refresh before its next use, and a deleted user's sessions end.
 *
 * Both times are WorkOS's own clock: the event's `created_at` and the token's `iat`, so the
 * instances' clocks do not enter the comparison.
 *
 * @module
 */

/** What shared state keeps per user: the merged effect of every change event seen. */
export interface UserChange {
  userId: string;
  /** The newest change's time at WorkOS (epoch ms): tokens issued before it are stale. */
  changedAt: number;
  /** The user was deleted: their sessions end instead of refreshing. */
  ended: boolean;
  /**
   * Organizations the user was removed from: a refreshed token that still names one of them is
   * refused (the member is never served that organization again).
   */
  leftOrganizations: string[];
  /** Until when the record matters (epoch ms): the oldest token accepted, past `changedAt`. */
  expiresAt: number;
}

/** One event's effect, before it is merged into the user's record. */
export interface UserChangeEvent {
  userId: string;
  changedAt: number;
  ended?: boolean;
  /** `organization_membership.deleted`: the organization left. */
  left?: string;
  /** `organization_membership.created`: an organization (re)joined. */
  joined?: string;
  expiresAt: number;
}

/** A user's record after `event`, from the one before it (if any). */
export function mergeUserChange(previous: UserChange | null, event: UserChangeEvent): UserChange {
  const left = new Set(previous?.leftOrganizations ?? []);
  if (event.left) left.add(event.left);
  if (event.joined) left.delete(event.joined);
  return {
    userId: event.userId,
    changedAt: Math.max(previous?.changedAt ?? 0, event.changedAt),
    ended: (previous?.ended ?? false) || event.ended === true,
    leftOrganizations: [...left].slice(-100),
    expiresAt: Math.max(previous?.expiresAt ?? 0, event.expiresAt),
  };
}

/**
 * What a token issued at `iat` (Unix seconds; absent: long ago) must do after `change`. A token
 * from the same second as the change may predate it and is refreshed too, unless the session
 * says it was refreshed because of this change or a later one (`claimsAsOf`).
 */
export function tokenFreshness(
  change: UserChange | undefined,
  iat: number | undefined,
  claimsAsOf?: number,
): "fresh" | "refresh" | "ended" {
  if (!change || (iat ?? 0) * 1000 > change.changedAt) return "fresh";
  if (change.ended) return "ended";
  return (claimsAsOf ?? -Infinity) >= change.changedAt ? "fresh" : "refresh";
}

/**
 * A revoked id and until when it must be refused (epoch ms): a session's `sid`, or an API key's
 * id (`api_key_…`, S67), which can never collide with one.
 */
export interface Revocation {
  sid: string;
  expiresAt: number;
}

/** One poll of the feed: revocations, users' changes, and the newest write time seen. */
export interface FeedPage {
  revocations: Revocation[];
  userChanges: UserChange[];
  cursor: number;
}

/** `sessionStatus`'s answer. */
export interface SessionStatus {
  revoked: boolean;
  userChange: UserChange | null;
}

/** A feed page from its entries, each told apart by its shape. */
export function splitFeed(entries: (Revocation | UserChange)[], cursor: number): FeedPage {
  const page: FeedPage = { revocations: [], userChanges: [], cursor };
  for (const entry of entries) {
    if ("userId" in entry) page.userChanges.push(entry);
    else page.revocations.push({ sid: entry.sid, expiresAt: entry.expiresAt });
  }
  return page;
}
