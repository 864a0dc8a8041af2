/**
 * The middleware the integration adds (order `pre`): resolves the session once per request into
 * `Astro.locals.auth` (with the organization's name) and `Astro.locals.organizations`, and guards
 * the protected paths.
 *
 * @module
 */
import type { MiddlewareHandler } from "astro";
import { guardRequest } from "../middleware/guard.ts";
import { type OrganizationView, viewWithoutOrganizations } from "../organizations/memberships.ts";
import type { ApiKeyContext } from "../api-keys/context.ts";
import { auth as getAuth, options } from "./runtime.ts";
import { withHeaders } from "../core/responses.ts";

/** The route Astro renders every server island through (astro/dist/core/server-islands). */
export const SERVER_ISLAND_ROUTE = "/_server-islands/[name]";

/** The Astro middleware: `Astro.locals.auth` and `Astro.locals.organizations`, and the guard. */
export const onRequest: MiddlewareHandler = (context, next): Promise<Response> => {
  // A prerendered page is rendered once, at build time, for everyone: there is no visitor, and
  // the build has no secrets (they are runtime values). Nothing is resolved or read; the
  // components render their browser-resolved variant instead (`Astro.isPrerendered`).
  if (context.isPrerendered) {
    context.locals.auth = null;
    context.locals.organizations = null;
    return next();
  }
  const auth = getAuth();
  const response = guardRequest(context.request, auth, (session) => {
    const render = ({ auth, organizations }: OrganizationView | ApiKeyView) => {
      context.locals.auth = auth;
      context.locals.organizations = organizations;
      return next();
    };
    // An API key acts for its one organization: no user, no switcher (S68).
    if (session?.credential === "api_key") return render({ auth: session, organizations: null });
    if (!options.organizations) return render(viewWithoutOrganizations(session));
    // Only a memberships cache miss is a promise: a warm page view stays synchronous.
    const view = auth.viewOrganizations(session);
    return view instanceof Promise ? view.then(render) : render(view);
  }, { pathname: context.url.pathname, routePattern: context.routePattern });
  // A server island (`server:defer`) is rendered for whoever's cookie asks, signed out included:
  // no cache may keep it or hand it to another cookie.
  return context.routePattern === SERVER_ISLAND_ROUTE
    ? response.then((answer) => withHeaders(answer, [], true))
    : response;
};

interface ApiKeyView {
  auth: ApiKeyContext;
  organizations: null;
}
