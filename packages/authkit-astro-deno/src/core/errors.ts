/**
 * One error type for every auth failure, with a stable `code`. One table maps codes to HTTP
 * statuses and to the generic message a user sees; logs get the code, never the details.
 *
 * @module
 */

/** Every way sign-in or a session can fail. */
export type AuthErrorCode =
  | "state_missing" // callback without the sign-in state cookie (login CSRF, expired flow)
  | "state_mismatch" // callback `state` differs from the cookie's
  | "code_missing" // callback without `code`
  | "authorization_denied" // WorkOS redirected back with `error=`
  | "code_rejected" // WorkOS refused the code (`invalid_grant`)
  | "upstream_unavailable" // WorkOS answered 429/5xx/non-JSON, or the network failed
  | "upstream_timeout" // WorkOS did not answer in time
  | "upstream_circuit_open" // WorkOS recently stalled or failed: no new attempt waits (S45)
  | "upstream_invalid_response" // WorkOS answered 200 without the tokens we need
  | "session_too_large" // the sealed session would not fit in MAX_SESSION_CHUNKS cookies
  | "session_invalid" // the cookie is not a session we sealed, or it expired
  | "token_invalid" // the access token failed verification
  | "refresh_rejected" // the refresh token is dead (any 4xx but 401/408/429 from WorkOS)
  | "refresh_pending" // another instance is refreshing this session and did not finish in time
  | "session_revoked" // signed out, or revoked at WorkOS (`session.revoked`), on some instance
  | "shared_state_unavailable" // Deno KV could not be read or written
  | "webhook_invalid" // a webhook with a missing, malformed, bad or stale signature
  | "jwks_unavailable" // WorkOS's signing keys could not be fetched
  | "origin_rejected" // a cross-site POST
  | "payload_too_large" // a form body past its bound (S52)
  | "organization_invalid" // switch to a malformed id, or to an organization the user is not in
  | "organization_switch_refused" // WorkOS refused the session that organization (a 4xx)
  | "organization_reauthentication_required" // the organization wants SSO or MFA: sign in again
  | "recent_auth_required" // a sensitive action with a sign-in older than it allows (step-up)
  | "session_not_owned" // a revoke naming a session that is not one of the user's own
  | "session_choice_invalid" // a revoke naming no session, or this browser's own
  | "forbidden" // signed in, but the page's check (`requireAuth(context, check)`) does not hold
  | "api_key_invalid" // an API key WorkOS does not know, or of no key's shape
  | "api_key_revoked" // an API key deleted at WorkOS (`api_key.revoked`), on some instance
  | "api_key_rate_limited" // past this instance's budget of API key validations (S67)
  | "sign_in_refused" // the app's `onSignIn` hook threw or did not answer in time (S70)
  | "sign_in_state_invalid" // a sign-in link's custom `state` over its bound (S70)
  | "internal"; // anything unexpected: fail closed

/** An auth failure with a stable code; `cause` is for logs only. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** How long WorkOS asked us to wait (a 429's `Retry-After`), if it said. */
  readonly retryAfterSeconds?: number;
  constructor(code: AuthErrorCode, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(code, options);
    this.name = "AuthError";
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

interface Outcome {
  status: number;
  title: string;
  message: string;
  /** Offer "Sign in again": the flow can simply be restarted. */
  retrySignIn: boolean;
}

/** An unknown, malformed or deleted API key: one answer, whichever it was. */
const API_KEY_REFUSED: Outcome = refused(401, "The API key is not valid.");

const OUTCOMES: Record<AuthErrorCode, Outcome> = {
  state_missing: signInAgain(400, "Your sign-in link expired or was already used."),
  state_mismatch: signInAgain(400, "Your sign-in link expired or was already used."),
  code_missing: signInAgain(400, "The sign-in response was incomplete."),
  authorization_denied: signInAgain(400, "Sign-in was cancelled."),
  code_rejected: signInAgain(400, "Your sign-in link expired or was already used."),
  session_invalid: signInAgain(401, "Your session has ended."),
  token_invalid: signInAgain(401, "Your session has ended."),
  refresh_rejected: signInAgain(401, "Your session has ended."),
  session_revoked: signInAgain(401, "Your session has ended."),
  refresh_pending: unavailable(503, "Your session is being renewed."),
  shared_state_unavailable: unavailable(503, "The sign-in service is unavailable."),
  upstream_unavailable: unavailable(502, "The sign-in service is unavailable."),
  upstream_invalid_response: unavailable(502, "The sign-in service gave an unexpected answer."),
  upstream_timeout: unavailable(504, "The sign-in service did not answer in time."),
  jwks_unavailable: unavailable(503, "The sign-in service is unavailable."),
  upstream_circuit_open: unavailable(503, "The sign-in service is unavailable."),
  // Not the user's input but the account's data (roles, permissions, entitlements): retrying or
  // signing in again cannot help, so the page says what an administrator can change.
  session_too_large: {
    status: 500,
    title: "Session too large",
    message: "Your account carries more roles, permissions or entitlements than a browser " +
      "session can hold, so you could not be signed in. Please ask an administrator to reduce them.",
    retrySignIn: false,
  },
  origin_rejected: refused(403, "This request did not come from this site."),
  payload_too_large: refused(413, "The request was larger than this form accepts."),
  webhook_invalid: refused(401, "The request's signature is missing, invalid or stale."),
  organization_invalid: {
    status: 400,
    title: "Organization not available",
    message: "You are not a member of that organization.",
    retrySignIn: false,
  },
  organization_switch_refused: {
    status: 403,
    title: "Organization not available",
    message: "That organization could not be opened for your session.",
    retrySignIn: false,
  },
  organization_reauthentication_required: signInAgain(
    401,
    "That organization asks you to sign in again.",
  ),
  // A form post from a page whose sign-in is too old: refused, nothing done (S59).
  recent_auth_required: {
    status: 403,
    title: "Please sign in again",
    message: "This action needs a recent sign-in. Sign in again, then repeat it.",
    retrySignIn: true,
  },
  session_not_owned: refused(403, "That session is not one of yours."),
  session_choice_invalid: refused(400, "Choose another session to end; to end this one, sign out."),
  // Signing in again would not change the account's role or permissions: no "Sign in again".
  forbidden: {
    status: 403,
    title: "Access denied",
    message: "Your account does not have access to this page.",
    retrySignIn: false,
  },
  api_key_invalid: API_KEY_REFUSED,
  api_key_revoked: API_KEY_REFUSED,
  api_key_rate_limited: {
    status: 429,
    title: "Please try again",
    message: "Too many API keys to check at once.",
    retrySignIn: false,
  },
  // The app's own hook said no (or failed): its reason is the app's, never shown here.
  sign_in_refused: {
    status: 403,
    title: "Sign-in refused",
    message: "Your sign-in could not be completed.",
    retrySignIn: true,
  },
  sign_in_state_invalid: refused(400, "The sign-in link is not valid."),
  internal: unavailable(500, "Something went wrong on our side."),
};

/** Whether `value` is one of the codes above (a code read back from shared state). */
export function isAuthErrorCode(value: unknown): value is AuthErrorCode {
  return typeof value === "string" && Object.hasOwn(OUTCOMES, value);
}

function refused(status: number, message: string): Outcome {
  return { status, title: "Request refused", message, retrySignIn: false };
}

function signInAgain(status: number, message: string): Outcome {
  return { status, title: "Sign-in needed", message, retrySignIn: true };
}

function unavailable(status: number, message: string): Outcome {
  return { status, title: "Please try again", message, retrySignIn: false };
}

/** The HTTP status for a failure code. */
export function statusFor(code: AuthErrorCode): number {
  return OUTCOMES[code].status;
}

/** Narrows anything thrown to an `AuthError`; unknown errors become `internal` (fail closed). */
export function toAuthError(error: unknown): AuthError {
  return error instanceof AuthError ? error : new AuthError("internal", { cause: error });
}

/** Transient failures keep the session cookie: the session may still be good. */
export function isTransient(code: AuthErrorCode): boolean {
  return statusFor(code) >= 502 && statusFor(code) <= 504;
}

/** Seconds a client should wait before retrying a transient failure. */
export const RETRY_AFTER_SECONDS = 5;

/** How the error page offers a way forward. */
export interface ErrorPageOptions {
  /** Offer "Sign in again" (else what the code says). */
  restartSignIn?: boolean;
  /** Where "Sign in again" goes: the sign-in route, maybe with a query (checked paths only). */
  signInHref?: string;
}

/**
 * A small generic HTML page for a failure. It shows the code and a reference id a user can
 * report, and never upstream text such as `error_description` (it could carry markup).
 */
export function renderErrorPage(
  code: AuthErrorCode,
  requestId: string,
  options: ErrorPageOptions = {},
): Response {
  const { status, title, message } = OUTCOMES[code];
  // A failed callback has consumed its state: the only way forward is a new sign-in, whatever
  // the failure. Elsewhere, a transient failure is retried by reloading the page.
  const href = escapeAttribute(options.signInHref ?? "/sign-in");
  const action = (options.restartSignIn ?? OUTCOMES[code].retrySignIn)
    ? `<a class="button" href="${href}">Sign in again</a>`
    : '<a class="button" href="">Try again</a>';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title><link rel="icon" href="/favicon.svg">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2430}
.button{display:inline-block;margin-right:1rem;padding:.5rem 1rem;border-radius:.5rem;background:#4f46e5;color:#fff;text-decoration:none}
small{color:#5b6170}</style></head>
<body><main><h1>${title}</h1><p>${message}</p><p>${action} <a href="/">Home</a></p>
<p><small>Error code: ${code} · Reference: ${requestId}</small></p></main></body></html>`;
  const headers = new Headers({
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
  });
  if (isTransient(code)) headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  return new Response(body, { status, headers });
}

/** `signInHref` is built by our code from a checked path, but is escaped all the same. */
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
