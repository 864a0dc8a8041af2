/**
 * WorkOS AuthKit sign-in for Astro apps on Deno, as an Astro integration:
 *
 * ```js
 * // astro.config.mjs
 * import authkit from "@authkit-deno/astro";
 * export default defineConfig({ output: "server", adapter: deno(), integrations: [authkit()] });
 * ```
 *
 * Server helpers for API routes and actions are in `@authkit-deno/astro/server`; the `.astro`
 * components in `@authkit-deno/astro/components`.
 *
 * @module
 */
import { authkit } from "./astro/integration.ts";

export { authkit };
export default authkit;
export type { AuthKitOptions } from "./astro/options.ts";
export type { AccessCheck } from "./session/access.ts";
export type { OrganizationChoice, SignedInContext } from "./organizations/memberships.ts";
