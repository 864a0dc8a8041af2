/**
 * The two WorkOS reads a page view may need, the user's organization memberships and each
 * organization's name, over plain `fetch` rather than through `@workos-inc/node`: loading the SDK
 * takes ~65 ms, which a fresh instance's first signed-in page would otherwise pay before it could
 * answer (the same reason the JWKS URL is built by hand in `workos.ts`). Everything that changes a
 * session (sign-in, refresh, switch, revoke) still goes through the SDK.
 *
 * The endpoints and shapes are those of `userManagement.listOrganizationMemberships` and
 * `organizations.getOrganization` (WORKOS-CONTRACT.md); the stand-in serves them and
 * `tests/upstream_agreement_test.ts` runs the same scenario against it and the fake.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";
import { UPSTREAM_TIMEOUT_MS } from "../workos/client.ts";
import { getJson } from "../workos/rest.ts";

/** A user's membership of an organization, as the dashboard's switcher shows it. */
export interface OrganizationMembership {
  organizationId: string;
  /** Null when the organization's name could not be read. */
  organizationName: string | null;
  /** The role slug in that organization. */
  role: string | null;
}

/** The largest page WorkOS lists; beyond it, memberships are left out (see README). */
export const MEMBERSHIPS_PAGE_SIZE = 100;

interface WireMembership {
  user_id?: unknown;
  organization_id?: unknown;
  status?: unknown;
  role?: { slug?: unknown } | null;
}

/**
 * The user's active memberships with each organization's name: one list call, then one
 * organization read per membership, in parallel. Inactive and pending memberships are filtered
 * out here too, whatever the server did with `statuses`. A name that cannot be read is left null
 * rather than failing the whole list. Rejects with an `AuthError`.
 */
export async function listActiveMemberships(
  config: AuthConfig,
  userId: string,
  timeoutMs = UPSTREAM_TIMEOUT_MS,
): Promise<OrganizationMembership[]> {
  const query = new URLSearchParams({
    user_id: userId,
    statuses: "active",
    limit: String(MEMBERSHIPS_PAGE_SIZE),
  });
  const list = await getJson(
    config,
    `/user_management/organization_memberships?${query}`,
    timeoutMs,
  );
  const data = (list as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new AuthError("upstream_invalid_response");
  const active = (data as WireMembership[]).filter((m) =>
    m?.status === "active" && m.user_id === userId && typeof m.organization_id === "string"
  );
  const names = await Promise.allSettled(
    active.map((m) =>
      getJson(
        config,
        `/organizations/${encodeURIComponent(m.organization_id as string)}`,
        timeoutMs,
      )
    ),
  );
  return active.map((membership, i) => {
    const name = names[i].status === "fulfilled"
      ? (names[i].value as { name?: unknown } | null)?.name
      : null;
    const role = membership.role?.slug;
    return {
      organizationId: membership.organization_id as string,
      organizationName: typeof name === "string" && name !== "" ? name : null,
      role: typeof role === "string" ? role : null,
    };
  });
}
