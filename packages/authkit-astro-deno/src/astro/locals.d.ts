// `Astro.locals` as the integration's middleware fills it. `astro:config:done` injects a
// reference to this file into `.astro/types.d.ts`.
declare namespace App {
  interface Locals {
    /**
     * The signed-in user, or null when signed out. `organizationName` is the current
     * organization's name (null without an organization, or while memberships are unavailable);
     * `has({ role | permission | entitlement | featureFlag })` asks the verified token; `claims`
     * is the token's payload, typed with your `App.CustomClaims`. On API routes (`apiRoutes`) it
     * may instead be an organization API key, `credential: "api_key"`, which has no `user` and no
     * `claims`: check `credential` before reading a user's fields.
     */
    auth:
      | (
        & import("../organizations/memberships.ts").SignedInContext
        & { readonly claims: Readonly<CustomClaims> }
      )
      | import("../api-keys/context.ts").ApiKeyContext
      | null;
    /**
     * The user's active organizations for a switcher, the current one marked; null when signed
     * out, when WorkOS could not list them, or with `organizations: false`.
     */
    organizations: import("../organizations/memberships.ts").OrganizationChoice[] | null;
  }

  /**
   * The custom claims your WorkOS JWT template adds to access tokens, for `auth.claims`. Declare
   * them in your app's `src/env.d.ts`: `declare namespace App { interface CustomClaims {
   * department?: string } }`. Values come from a verified token; their shape is yours to check.
   */
  // deno-lint-ignore no-empty-interface
  interface CustomClaims {}
}
