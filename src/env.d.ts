/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /**
     * The signed-in user, set by `src/middleware.ts`; null when signed out. Its
     * `organizationName` is the current organization's name (null without an organization, or
     * while the memberships could not be fetched).
     */
    auth:
      | import("../packages/authkit-astro-deno/src/organizations/memberships.ts").SignedInContext
      | null;
    /**
     * The user's active organizations for the switcher, with role and the current one marked;
     * null when signed out or when WorkOS could not list them.
     */
    organizations:
      | import("../packages/authkit-astro-deno/src/organizations/memberships.ts").OrganizationChoice[]
      | null;
  }
}
