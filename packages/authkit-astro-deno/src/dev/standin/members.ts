/**
 * What an organization admin does to members in the WorkOS dashboard: change a member's role,
 * remove a member. Each sends the event WorkOS sends (`organization_membership.updated`,
 * `organization_membership.deleted`), and the member's next token refresh carries the change: a
 * new role and its permissions, or no longer that organization.
 *
 * @module
 */
import { membershipResponse } from "./organizations.ts";
import type { StandInState } from "./state.ts";

/** Gives `userId` the role `role` in `organizationId`; false if no such membership or role. */
export async function changeRole(
  standIn: StandInState,
  userId: string,
  organizationId: string,
  role: string,
): Promise<boolean> {
  const membership = standIn.seed.memberships.find((m) =>
    m.userId === userId && m.organizationId === organizationId
  );
  if (!membership || !standIn.seed.roles.some((r) => r.slug === role)) return false;
  membership.role = role;
  standIn.webhooks?.send("organization_membership.updated", {
    ...(await membershipResponse(standIn, membership)),
    updated_at: new Date(standIn.now()).toISOString(),
  });
  return true;
}

/** Removes `userId` from `organizationId`; false if they were not a member. */
export async function removeMember(
  standIn: StandInState,
  userId: string,
  organizationId: string,
): Promise<boolean> {
  const index = standIn.seed.memberships.findIndex((m) =>
    m.userId === userId && m.organizationId === organizationId
  );
  if (index < 0) return false;
  const [membership] = standIn.seed.memberships.splice(index, 1);
  standIn.webhooks?.send("organization_membership.deleted", {
    ...(await membershipResponse(standIn, membership)),
    updated_at: new Date(standIn.now()).toISOString(),
  });
  return true;
}
