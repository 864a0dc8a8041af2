/**
 * `GET /user_management/organization_memberships` and `GET /organizations/:id`, in WorkOS's list
 * and object shapes (what v6's `listOrganizationMemberships` and `getOrganization` deserialize).
 * Both need the API key as a bearer token, as every WorkOS API call does.
 *
 * @module
 */
import { jsonResponse } from "./http.ts";
import type { SeedMembership } from "./seed.ts";
import type { StandInState } from "./state.ts";
import { CROCKFORD_BASE32 } from "./tokens.ts";

/** The path of one organization. */
export const ORGANIZATION_PATH = /^\/organizations\/([^/]+)$/;
// A fixed date for seeded records: the seed has none, and tests compare answers.
const SEEDED_AT = "2024-01-01T00:00:00.000Z";
const STATUSES = new Set(["active", "inactive", "pending"]);

/** Lists memberships by `user_id` and/or `organization_id`, optionally filtered by `statuses`. */
export async function handleListMemberships(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  if (!isAuthorized(standIn, request)) return jsonResponse(401, { message: "Unauthorized" });
  const params = new URL(request.url).searchParams;
  const userId = params.get("user_id");
  const organizationId = params.get("organization_id");
  if (!userId && !organizationId) {
    return jsonResponse(422, {
      code: "invalid_request_parameters",
      message: "Either user_id or organization_id is required.",
      errors: [{ field: "user_id", code: "required" }],
    });
  }
  // WorkOS takes `statuses` as a repeated or comma-separated parameter.
  const statuses = params.getAll("statuses").flatMap((value) => value.split(","));
  if (statuses.some((status) => !STATUSES.has(status))) {
    return jsonResponse(422, {
      code: "invalid_request_parameters",
      message: "Unknown status.",
      errors: [{ field: "statuses", code: "invalid" }],
    });
  }
  const memberships = standIn.seed.memberships.filter((m) =>
    (!userId || m.userId === userId) && (!organizationId || m.organizationId === organizationId) &&
    // Every seeded membership is active.
    (statuses.length === 0 || statuses.includes("active"))
  );
  const data = await Promise.all(memberships.map((m) => membershipResponse(standIn, m)));
  // One page holds everything the seed has: no cursors.
  return jsonResponse(200, { object: "list", data, list_metadata: { before: null, after: null } });
}

/** One organization by id, or 404 as WorkOS answers an unknown one. */
export function handleGetOrganization(standIn: StandInState, request: Request): Response {
  if (!isAuthorized(standIn, request)) return jsonResponse(401, { message: "Unauthorized" });
  const [, id] = new URL(request.url).pathname.match(ORGANIZATION_PATH)!;
  const organization = standIn.seed.organizations.find((o) => o.id === id);
  if (!organization) {
    return jsonResponse(404, {
      code: "entity_not_found",
      message: `Organization not found: '${id}'.`,
    });
  }
  return jsonResponse(200, {
    object: "organization",
    id: organization.id,
    name: organization.name,
    allow_profiles_outside_organization: false,
    domains: [],
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  });
}

/** A membership in WorkOS's wire shape (the list's entries, and membership events' data). */
export async function membershipResponse(
  standIn: StandInState,
  membership: SeedMembership,
): Promise<Record<string, unknown>> {
  const organization = standIn.seed.organizations.find((o) => o.id === membership.organizationId);
  return {
    object: "organization_membership",
    id: await membershipId(membership),
    user_id: membership.userId,
    organization_id: membership.organizationId,
    organization_name: organization?.name ?? null,
    role: { slug: membership.role },
    status: "active",
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  };
}

/** A stable WorkOS-looking id (`om_` + 26 characters) derived from the user and organization. */
async function membershipId(membership: SeedMembership): Promise<string> {
  const input = new TextEncoder().encode(`${membership.userId}/${membership.organizationId}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return `om_01${Array.from(digest.slice(0, 24), (b) => CROCKFORD_BASE32[b & 31]).join("")}`;
}

/** `Authorization: Bearer <API key>`, compared as the authenticate endpoint compares the secret. */
function isAuthorized(standIn: StandInState, request: Request): boolean {
  return request.headers.get("authorization") === `Bearer ${standIn.apiKey}`;
}
