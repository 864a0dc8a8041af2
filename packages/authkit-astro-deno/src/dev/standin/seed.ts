/**
 * The stand-in's seed data: who can sign in, in which organization, with which role. The JSON
 * stays hand-editable, so it is validated once at load time and every problem reported at once.
 *
 * @module
 */

/** A user as the stand-in stores it (camelCase; the wire shape is snake_case). */
export interface SeedUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  emailVerified: boolean;
  profilePictureUrl: string | null;
  createdAt: string;
  /**
   * How long ago (seconds, at the stand-in's start) the user last authenticated at AuthKit, for
   * a user who seems to have signed in earlier: signing in reuses that time as `auth_time` until
   * an app asks for a fresher one with `max_age` (step-up). Absent: no earlier sign-in.
   */
  lastSignInSecondsAgo?: number;
}

/** An organization and the entitlements and feature flags its tokens carry. */
export interface SeedOrganization {
  id: string;
  name: string;
  entitlements: string[];
  featureFlags: string[];
}

/** A role slug and the permissions it grants. */
export interface SeedRole {
  slug: string;
  permissions: string[];
}

/** A user's membership of an organization with one role. */
export interface SeedMembership {
  userId: string;
  organizationId: string;
  role: string;
}

/** An admin who may sign in as `userId`, offered as its own choice on the sign-in page. */
export interface SeedImpersonation {
  adminEmail: string;
  reason: string | null;
  userId: string;
}

/** The whole seed file. */
export interface Seed {
  appName: string;
  users: SeedUser[];
  organizations: SeedOrganization[];
  roles: SeedRole[];
  memberships: SeedMembership[];
  impersonations: SeedImpersonation[];
}

/** A membership resolved to its organization and role. */
export interface ResolvedMembership {
  organization: SeedOrganization;
  role: SeedRole;
}

/** Where the default seed lives. */
export const DEFAULT_SEED_URL: URL = new URL("./seed.json", import.meta.url);

type Kind = "string" | "string|null" | "boolean" | "string[]" | "seconds?";

const USER_SHAPE: Record<keyof SeedUser, Kind> = {
  id: "string",
  email: "string",
  firstName: "string",
  lastName: "string",
  emailVerified: "boolean",
  profilePictureUrl: "string|null",
  createdAt: "string",
  lastSignInSecondsAgo: "seconds?",
};
const ORGANIZATION_SHAPE: Record<keyof SeedOrganization, Kind> = {
  id: "string",
  name: "string",
  entitlements: "string[]",
  featureFlags: "string[]",
};
const ROLE_SHAPE: Record<keyof SeedRole, Kind> = { slug: "string", permissions: "string[]" };
const MEMBERSHIP_SHAPE: Record<keyof SeedMembership, Kind> = {
  userId: "string",
  organizationId: "string",
  role: "string",
};
const IMPERSONATION_SHAPE: Record<keyof SeedImpersonation, Kind> = {
  adminEmail: "string",
  reason: "string|null",
  userId: "string",
};

/** Reads and validates a seed file (the bundled `seed.json` by default). */
export async function loadSeed(url: URL = DEFAULT_SEED_URL): Promise<Seed> {
  return parseSeed(JSON.parse(await Deno.readTextFile(url)));
}

/** Validates parsed seed JSON, throwing one error that lists every problem. */
export function parseSeed(value: unknown): Seed {
  const problems: string[] = [];
  const raw = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof raw.appName !== "string") problems.push('"appName" must be a string');
  checkRecords(raw.users, "users", USER_SHAPE, problems);
  checkRecords(raw.organizations, "organizations", ORGANIZATION_SHAPE, problems);
  checkRecords(raw.roles, "roles", ROLE_SHAPE, problems);
  checkRecords(raw.memberships, "memberships", MEMBERSHIP_SHAPE, problems);
  checkRecords(raw.impersonations, "impersonations", IMPERSONATION_SHAPE, problems);
  if (problems.length === 0) checkReferences(raw as unknown as Seed, problems);
  if (problems.length > 0) throw new Error(`Invalid seed: ${problems.join("; ")}`);
  return raw as unknown as Seed;
}

/**
 * The user's membership of `organizationId`, or by default their first one (where a sign-in
 * without an organization lands); `undefined` when there is none.
 */
export function findMembership(
  seed: Seed,
  userId: string,
  organizationId?: string,
): ResolvedMembership | undefined {
  const membership = seed.memberships.find((m) =>
    m.userId === userId && (organizationId === undefined || m.organizationId === organizationId)
  );
  if (!membership) return undefined;
  // parseSeed guarantees both references resolve.
  return {
    organization: seed.organizations.find((o) => o.id === membership.organizationId)!,
    role: seed.roles.find((r) => r.slug === membership.role)!,
  };
}

function checkRecords(
  value: unknown,
  path: string,
  shape: Record<string, Kind>,
  problems: string[],
): void {
  if (!Array.isArray(value)) {
    problems.push(`"${path}" must be an array`);
    return;
  }
  value.forEach((item, index) => {
    for (const [key, kind] of Object.entries(shape)) {
      if (!hasKind(item?.[key], kind)) problems.push(`"${path}[${index}].${key}" must be ${kind}`);
    }
  });
}

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "string|null":
      return value === null || typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "string[]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "seconds?":
      return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
  }
}

function checkReferences(seed: Seed, problems: string[]): void {
  const userIds = new Set(seed.users.map((u) => u.id));
  const organizationIds = new Set(seed.organizations.map((o) => o.id));
  const roleSlugs = new Set(seed.roles.map((r) => r.slug));
  if (userIds.size !== seed.users.length) problems.push("user ids must be unique");
  if (new Set(seed.users.map((u) => u.email.toLowerCase())).size !== seed.users.length) {
    problems.push("user emails must be unique");
  }
  for (const m of seed.memberships) {
    if (!userIds.has(m.userId)) problems.push(`membership names unknown user "${m.userId}"`);
    if (!organizationIds.has(m.organizationId)) {
      problems.push(`membership names unknown organization "${m.organizationId}"`);
    }
    if (!roleSlugs.has(m.role)) problems.push(`membership names unknown role "${m.role}"`);
  }
  for (const i of seed.impersonations) {
    if (!userIds.has(i.userId)) problems.push(`impersonation names unknown user "${i.userId}"`);
  }
}
