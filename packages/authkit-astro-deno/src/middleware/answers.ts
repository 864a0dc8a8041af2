/**
 * The guard's answers shared by the cookie and the bearer paths: fail closed, and the 503 of a
 * transient failure.
 *
 * @module
 */
import {
  type AuthError,
  renderErrorPage,
  RETRY_AFTER_SECONDS,
  toAuthError,
} from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { jsonResponse } from "../core/responses.ts";
import type { Resolution } from "../session/resolve.ts";

/** Anything thrown or rejected while resolving a credential reads as "signed out" (S35). */
export function failedClosed(error: unknown): Resolution {
  return { kind: "signed-out", clearCookie: false, code: toAuthError(error).code };
}

/** A transient failure: 503 with `Retry-After`, a page for browsers, JSON for API clients. */
export function unavailable(html: boolean, pathname: string, error: AuthError): Response {
  const requestId = createRequestId();
  logAuthFailure(error, pathname, requestId);
  if (html) {
    // The page, not the upstream call, is what failed here: 503 as for API clients (S25), whatever
    // status the code maps to on the callback (502/504).
    const page = renderErrorPage(error.code, requestId);
    page.headers.set("retry-after", String(error.retryAfterSeconds ?? RETRY_AFTER_SECONDS));
    return new Response(page.body, { status: 503, headers: page.headers });
  }
  const response = jsonResponse(503, { error: "unavailable", code: error.code, requestId });
  response.headers.set("retry-after", String(error.retryAfterSeconds ?? RETRY_AFTER_SECONDS));
  return response;
}
