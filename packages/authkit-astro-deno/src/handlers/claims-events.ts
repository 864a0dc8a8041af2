/**
 * The webhook events after which a user's access tokens say something WorkOS no longer says
 * (S69): `organization_membership.created`, `.updated` (a role changed), `.deleted` (removed from
 * the organization), `user.updated` and `user.deleted`. Each becomes a change record of the user,
 * timed by the event's `created_at` (WorkOS's clock, as the tokens' `iat` is).
 *
 * @module
 */
import type { UserChangeEvent } from "../shared-state/feed.ts";
import { MAX_CLOCK_SKEW_MS } from "../shared-state/store.ts";
import { REVOCATION_TTL_MS } from "../shared-state/revocations.ts";

const USER_ID = /^user_[A-Za-z0-9]{1,64}$/;
const ORGANIZATION_ID = /^org_[A-Za-z0-9]{1,64}$/;

/** A verified event's id and its effect on one user, or null for any other event. */
export function readUserChangeEvent(
  payload: unknown,
  nowMs: number,
): { id: string; change: UserChangeEvent } | null {
  const p = payload as {
    id?: unknown;
    event?: unknown;
    created_at?: unknown;
    data?: { id?: unknown; user_id?: unknown; organization_id?: unknown };
  } | null;
  if (typeof p?.id !== "string" || p.id.length > 128 || typeof p.event !== "string") return null;
  const membership = p.event.startsWith("organization_membership.");
  const userId = membership ? p.data?.user_id : p.data?.id;
  if (typeof userId !== "string" || !USER_ID.test(userId)) return null;
  const organizationId = typeof p.data?.organization_id === "string" &&
      ORGANIZATION_ID.test(p.data.organization_id)
    ? p.data.organization_id
    : undefined;
  const change: UserChangeEvent = {
    userId,
    changedAt: changedAt(p.created_at, nowMs),
    expiresAt: nowMs + REVOCATION_TTL_MS,
  };
  switch (p.event) {
    case "organization_membership.created":
      return { id: p.id, change: { ...change, joined: organizationId } };
    case "organization_membership.updated":
    case "user.updated":
      return { id: p.id, change };
    case "organization_membership.deleted":
      return { id: p.id, change: { ...change, left: organizationId } };
    case "user.deleted":
      return { id: p.id, change: { ...change, ended: true } };
    default:
      return null;
  }
}

/**
 * When the change happened at WorkOS. Absent or unreadable: now. Never further ahead than the
 * clock skew the feed tolerates, so a bad timestamp cannot mark every future token stale.
 */
function changedAt(createdAt: unknown, nowMs: number): number {
  const at = typeof createdAt === "string" ? Date.parse(createdAt) : NaN;
  return Number.isFinite(at) ? Math.min(at, nowMs + MAX_CLOCK_SKEW_MS) : nowMs;
}
