/**
 * API routes with `Authorization: Bearer`: the credential alone decides, the cookie is not read,
 * and no answer carries a `Set-Cookie` or may be cached for another credential. A JWT is a user's
 * access token (S60); anything else of a token's shape is an organization API key (S67).
 *
 * @module
 */
import type { Auth } from "../auth.ts";
import { AuthError, toAuthError } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { jsonResponse, withHeaders } from "../core/responses.ts";
import type { ApiKeyContext } from "../api-keys/context.ts";
import { type ApiKeyResolution, refusalError } from "../api-keys/resolve.ts";
import type { BearerCredential } from "../session/bearer.ts";
import type { AuthContext, Resolution } from "../session/resolve.ts";
import { failedClosed, unavailable } from "./answers.ts";

/** What the route renders with: a user, an API key, or no one. */
export type Render = (auth: AuthContext | ApiKeyContext | null) => Promise<Response>;

/** Answers an API request that carries `credential`. */
export async function guardBearer(
  credential: BearerCredential,
  pathname: string,
  auth: Auth,
  next: Render,
): Promise<Response> {
  let response: Response;
  if (credential.kind === "api_key") {
    response = await answerApiKey(await resolveKey(auth, credential.value), pathname, next);
  } else {
    response = await answerToken(credential, pathname, auth, next);
  }
  response = withHeaders(response, [], true);
  response.headers.append("vary", "Authorization");
  return response;
}

async function answerToken(
  credential: Exclude<BearerCredential, { kind: "api_key" }>,
  pathname: string,
  auth: Auth,
  next: Render,
): Promise<Response> {
  let resolution: Resolution;
  try {
    resolution = credential.kind === "access_token"
      ? await auth.resolveBearer(credential.value)
      : { kind: "signed-out", clearCookie: false, code: "token_invalid" };
  } catch (error) {
    resolution = failedClosed(error);
  }
  if (resolution.kind === "signed-in") return await next(resolution.auth);
  if (resolution.kind === "unavailable") return unavailable(false, pathname, resolution.error);
  return refuse(new AuthError(resolution.code ?? "token_invalid"), pathname);
}

async function resolveKey(auth: Auth, value: string): Promise<ApiKeyResolution> {
  try {
    return await auth.resolveApiKey(value);
  } catch (error) {
    // Unexpected: logged with its code, and the key refused (S35).
    logAuthFailure(toAuthError(error), "api_key", createRequestId());
    return { kind: "refused", code: "api_key_invalid" };
  }
}

async function answerApiKey(
  resolution: ApiKeyResolution,
  pathname: string,
  next: Render,
): Promise<Response> {
  switch (resolution.kind) {
    case "api-key":
      return await next(resolution.auth);
    case "unavailable":
      return unavailable(false, pathname, resolution.error);
    case "limited": {
      // Past this instance's validation budget (S67): a status the client can back off on, and
      // one log line a second at most, or a flood of keys would become a flood of logs.
      if (Date.now() - lastLimitLog >= 1_000) {
        lastLimitLog = Date.now();
        logAuthFailure(refusalError(resolution), pathname, createRequestId());
      }
      const response = jsonResponse(429, { error: "rate_limited" });
      response.headers.set("retry-after", String(resolution.retryAfterSeconds));
      return response;
    }
    case "refused":
      return refuse(refusalError(resolution), pathname);
  }
}

let lastLimitLog = -Infinity;

/** 401 JSON; RFC 6750 §3: say which scheme failed, without saying why. */
function refuse(error: AuthError, pathname: string): Response {
  logAuthFailure(error, pathname, createRequestId());
  const response = jsonResponse(401, { error: "unauthorized" });
  response.headers.set("www-authenticate", 'Bearer error="invalid_token"');
  return response;
}
