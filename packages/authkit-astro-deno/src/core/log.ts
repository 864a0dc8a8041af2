/**
 * Structured auth-failure logs: one JSON line per failure, on stderr.
 *
 * Only the code, the route, a request id and the *class* of the cause are written. Messages of
 * upstream errors are left out on purpose: they can quote the authorization code or a token.
 *
 * @module
 */
import type { AuthError } from "./errors.ts";

/** What a log line carries; nothing here may be a secret. */
export interface AuthFailureLog {
  time: string;
  level: "warn" | "error";
  event: "auth_failure";
  route: string;
  code: string;
  requestId: string;
  cause?: string;
  upstreamStatus?: number;
  upstreamError?: string;
}

/** Where log lines go; tests swap it to capture them. */
export const logSink = { write: (line: string): void => console.error(line) };

/** Writes one JSON line for `error`, seen on `route`. */
export function logAuthFailure(error: AuthError, route: string, requestId: string): void {
  const cause = error.cause as
    | { name?: unknown; status?: unknown; error?: unknown; constructor?: { name?: string } }
    | undefined;
  const entry: AuthFailureLog = {
    time: new Date().toISOString(),
    level: error.code === "internal" ? "error" : "warn",
    event: "auth_failure",
    route,
    code: error.code,
    requestId,
  };
  if (cause && typeof cause === "object") {
    entry.cause = String(cause.constructor?.name ?? cause.name ?? "Error");
    if (typeof cause.status === "number") entry.upstreamStatus = cause.status;
    // OAuth error codes (`invalid_grant`) are fixed vocabulary, safe to log; descriptions are not.
    if (typeof cause.error === "string" && /^[a-z_]{1,64}$/.test(cause.error)) {
      entry.upstreamError = cause.error;
    }
  }
  logSink.write(JSON.stringify(entry));
}

/** A short random id that ties a user's error page to its log line. */
export function createRequestId(): string {
  return crypto.randomUUID().slice(0, 8);
}
