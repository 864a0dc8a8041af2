/**
 * `GET /auth/access-token`: the session's access token, for browser code that calls the app's
 * own API (`Authorization: Bearer`) or a third-party API that accepts WorkOS tokens (S60).
 *
 * Only a page of this origin may read it: a cross-site page could otherwise fetch it with the
 * user's cookie. The answer is never cached (`no-store`, `Vary: Cookie`), and the token is never
 * rendered into HTML (authkit-remix's CVE-2025-55009): browser code asks for it at run time.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError, RETRY_AFTER_SECONDS } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { isSameOriginRequest } from "../core/origin.ts";
import { requestAppOrigin } from "../core/redirect-origins.ts";
import { jsonResponse } from "../core/responses.ts";
import type { Resolution } from "../session/resolve.ts";
import { clearSessionCookies, readSessionCookie } from "../session/session-cookie.ts";

const ROUTE = "/auth/access-token";

/** What the route needs; built once per process in `auth.ts`. */
export interface AccessTokenDeps {
  config: AuthConfig;
  /** The guard's resolution: a cache hit, or verify and refresh within the margin (shared). */
  resolveSession: (request: Request) => Resolution | Promise<Resolution>;
}

/**
 * Answers `{ accessToken, expiresAt }` (`expiresAt`: the token's `exp`, Unix seconds) after
 * refreshing a token within the refresh margin, with the new cookie. Cross-site: 403; signed
 * out: 401 (and a dead cookie cleared); WorkOS or shared state unreachable: 503.
 */
export async function handleAccessToken(
  request: Request,
  deps: AccessTokenDeps,
): Promise<Response> {
  if (!isSameOriginRequest(request, requestAppOrigin(request, deps.config))) {
    logAuthFailure(new AuthError("origin_rejected"), ROUTE, createRequestId());
    return privateJson(403, { error: "forbidden" });
  }
  let resolution: Resolution;
  try {
    resolution = await deps.resolveSession(request);
  } catch {
    resolution = { kind: "signed-out", clearCookie: false, code: "internal" };
  }
  if (resolution.kind === "signed-in") {
    const { accessToken, expiresAt } = resolution.auth;
    return privateJson(200, { accessToken, expiresAt }, resolution.setCookies);
  }
  if (resolution.kind === "unavailable") {
    const requestId = createRequestId();
    logAuthFailure(resolution.error, ROUTE, requestId);
    const response = privateJson(503, { error: "unavailable", requestId });
    response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
    return response;
  }
  if (resolution.code) logAuthFailure(new AuthError(resolution.code), ROUTE, createRequestId());
  const chunks = readSessionCookie(request, deps.config)?.chunks;
  const clear = resolution.clearCookie ? clearSessionCookies(deps.config, chunks) : [];
  return privateJson(401, { error: "unauthorized" }, clear);
}

/** JSON no cache may keep, varying with the cookie that chose it. */
function privateJson(status: number, body: unknown, cookies: string[] = []): Response {
  const response = jsonResponse(status, body);
  response.headers.set("cache-control", "no-store");
  response.headers.set("vary", "Cookie");
  for (const cookie of cookies) response.headers.append("set-cookie", cookie);
  return response;
}
