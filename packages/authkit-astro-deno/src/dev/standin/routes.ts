/**
 * The stand-in's route table: every endpoint it serves, with the counter each request adds to
 * and the handler that answers it.
 *
 * @module
 */
import { handleAuthenticate } from "./authenticate.ts";
import { handleAuthorize, handleAuthorizeComplete } from "./authorize.ts";
import { jsonResponse } from "./http.ts";
import { handleLogout } from "./logout.ts";
import {
  handleGetOrganization,
  handleListMemberships,
  ORGANIZATION_PATH,
} from "./organizations.ts";
import { ADMIN_REVOKE_PATH, COMPLETE_PATH } from "./page.ts";
import {
  handleAdminRevoke,
  handleListUserSessions,
  handleRevoke,
  handleSessionsPage,
  USER_SESSIONS_PATH,
} from "./sessions.ts";
import type { StandInState } from "./state.ts";
import {
  API_KEY_PATH,
  handleDeleteApiKey,
  handleOrganizationApiKeys,
  handleValidateApiKey,
  ORGANIZATION_API_KEYS_PATH,
} from "./api-keys.ts";
import {
  ADMIN_ORGANIZATIONS_ACTION_PATH,
  ADMIN_ORGANIZATIONS_PATH,
  handleOrganizationsAction,
  handleOrganizationsPage,
} from "./admin.ts";

/** The endpoints counted and faulted separately. */
export type Endpoint =
  | "authorize"
  | "authenticate"
  | "jwks"
  | "logout"
  | "revoke"
  | "admin"
  | "memberships"
  | "organizations"
  | "sessions"
  | "api_keys"
  | "api_key_validations";

/** Answers one request. */
export type Handler = (
  standIn: StandInState,
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

const JWKS_PATH = /^\/sso\/jwks\/([^/]+)$/;

/** Every endpoint the stand-in serves: method, path (exact or a pattern), counter, handler. */
export const ROUTES: {
  method: string;
  path: string | RegExp;
  endpoint: Endpoint;
  handle: Handler;
}[] = [
  {
    method: "GET",
    path: "/user_management/authorize",
    endpoint: "authorize",
    handle: handleAuthorize,
  },
  { method: "POST", path: COMPLETE_PATH, endpoint: "authorize", handle: handleAuthorizeComplete },
  {
    method: "POST",
    path: "/user_management/authenticate",
    endpoint: "authenticate",
    handle: handleAuthenticate,
  },
  { method: "GET", path: JWKS_PATH, endpoint: "jwks", handle: handleJwks },
  {
    method: "GET",
    path: "/user_management/sessions/logout",
    endpoint: "logout",
    handle: handleLogout,
  },
  {
    method: "POST",
    path: "/user_management/sessions/revoke",
    endpoint: "revoke",
    handle: handleRevoke,
  },
  { method: "GET", path: "/admin/sessions", endpoint: "admin", handle: handleSessionsPage },
  { method: "POST", path: ADMIN_REVOKE_PATH, endpoint: "admin", handle: handleAdminRevoke },
  {
    method: "GET",
    path: "/user_management/organization_memberships",
    endpoint: "memberships",
    handle: handleListMemberships,
  },
  {
    method: "GET",
    path: ORGANIZATION_PATH,
    endpoint: "organizations",
    handle: handleGetOrganization,
  },
  { method: "GET", path: USER_SESSIONS_PATH, endpoint: "sessions", handle: handleListUserSessions },
  {
    method: "GET",
    path: ORGANIZATION_API_KEYS_PATH,
    endpoint: "api_keys",
    handle: handleOrganizationApiKeys,
  },
  {
    method: "POST",
    path: ORGANIZATION_API_KEYS_PATH,
    endpoint: "api_keys",
    handle: handleOrganizationApiKeys,
  },
  { method: "DELETE", path: API_KEY_PATH, endpoint: "api_keys", handle: handleDeleteApiKey },
  {
    method: "POST",
    path: "/api_keys/validations",
    endpoint: "api_key_validations",
    handle: handleValidateApiKey,
  },
  {
    method: "GET",
    path: ADMIN_ORGANIZATIONS_PATH,
    endpoint: "admin",
    handle: handleOrganizationsPage,
  },
  {
    method: "POST",
    path: ADMIN_ORGANIZATIONS_ACTION_PATH,
    endpoint: "admin",
    handle: handleOrganizationsAction,
  },
];

/** The route for a request, if any. */
export function findRoute(method: string, pathname: string) {
  return ROUTES.find((route) =>
    route.method === method &&
    (typeof route.path === "string" ? route.path === pathname : route.path.test(pathname))
  );
}

function handleJwks(standIn: StandInState, request: Request): Response {
  const [, clientId] = new URL(request.url).pathname.match(JWKS_PATH)!;
  if (clientId !== standIn.clientId) return jsonResponse(404, { message: "Not Found" });
  return jsonResponse(200, { keys: standIn.signingKeys.map((key) => key.publicJwk) });
}
