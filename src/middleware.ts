import type { MiddlewareHandler } from "astro";
import { getAuth } from "./lib/auth/auth.ts";
import { guardRequest } from "./lib/auth/guard.ts";
import type { OrganizationView } from "./lib/auth/memberships.ts";
import { readSessionCookie } from "./lib/auth/session-cookie.ts";

let sdkRequested = false;

/**
 * Resolves the session once per request into `Astro.locals.auth` (with the organization's name)
 * and `Astro.locals.organizations`, and guards protected paths.
 */
export const onRequest: MiddlewareHandler = (context, next) => {
  const auth = getAuth();
  if (!sdkRequested && readSessionCookie(context.request, auth.config)) {
    // The first signed-in page of a fresh instance will list memberships through the SDK: start
    // loading it now, while the session resolves (JWKS fetch, verification), not after.
    sdkRequested = true;
    auth.workos().catch(() => (sdkRequested = false));
  }
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
