/**
 * The route map the components link and post to: the integration's options, resolved once.
 *
 * @module
 */
import { installedOptions } from "../astro/installed-options.ts";
import { resolveRoutes } from "../core/routes.ts";

export { createSignInPath } from "../helpers/require-auth.ts";

/** The app's auth routes (sign-in, sign-out, the organization switch…). */
export const routes = resolveRoutes(installedOptions().routes);

/** Up to two initials for an avatar without a picture. */
export function initialsOf(name: string): string {
  return name.split(/\s+/).filter(Boolean).map((part) => part[0]).join("").slice(0, 2)
    .toUpperCase();
}

/** The name to show: first and last name, else the email address. */
export function displayName(
  user: { firstName: string | null; lastName: string | null; email: string },
): string {
  return [user.firstName, user.lastName].filter(Boolean).join(" ") || user.email;
}
