import type { MiddlewareHandler } from "astro";
import { getAuth } from "../packages/authkit-astro-deno/src/auth.ts";
import { guardRequest } from "../packages/authkit-astro-deno/src/middleware/guard.ts";
import type { OrganizationView } from "../packages/authkit-astro-deno/src/organizations/memberships.ts";

/**
 * Resolves the session once per request into `Astro.locals.auth` (with the organization's name)
 * and `Astro.locals.organizations`, and guards protected paths.
 */
export const onRequest: MiddlewareHandler = (context, next) => {
  const auth = getAuth();
  return guardRequest(context.request, auth, (session) => {
    const view = auth.viewOrganizations(session);
    const render = ({ auth, organizations }: OrganizationView) => {
      context.locals.auth = auth;
      context.locals.organizations = organizations;
      return next();
    };
    // Only a memberships cache miss is a promise: a warm page view stays synchronous.
    return view instanceof Promise ? view.then(render) : render(view);
  });
};
