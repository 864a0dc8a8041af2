/**
 * `GET /user_management/authorize` (the hosted sign-in page) and the page's form posts, which
 * end in a redirect to the client's `redirect_uri` with a code or `error=access_denied`.
 *
 * @module
 */
import { matchesRedirectUri } from "../../core/redirect-origins.ts";
import { redirectResponse } from "./http.ts";
import { renderErrorPage, renderSignInPage } from "./page.ts";
import { findMembership } from "./seed.ts";
import { findOrCreateUser, issueCode, type SignIn, type StandInState } from "./state.ts";

/** A validated authorize request. */
export interface AuthorizationRequest {
  redirectUri: string;
  state?: string;
  signUp: boolean;
  loginHint?: string;
  /** Sign in straight into this organization: only its members can complete. */
  organizationId?: string;
  codeChallenge?: string;
  /** OIDC `max_age` (seconds): an earlier sign-in older than this is not reused. */
  maxAge?: number;
  /** The query as received, echoed through the sign-in page's forms. */
  params: URLSearchParams;
}

// The form fields that carry the user's choice; everything else is the echoed authorize query.
const CHOICE_FIELDS = new Set(["user_id", "impersonation", "email", "cancel"]);
// RFC 7636 §4.2: an S256 challenge is the unpadded base64url of a SHA-256 digest.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Validates an authorize query; returns why when it is invalid. */
export function parseAuthorizationRequest(
  standIn: StandInState,
  params: URLSearchParams,
): AuthorizationRequest | string {
  // RFC 6749 §3.1: a parameter sent twice is an error, not a choice between two values.
  const repeated = [...new Set(params.keys())].find((key) => params.getAll(key).length > 1);
  if (repeated) return `"${repeated}" is given more than once.`;
  // The query is echoed into the page's forms, so it must not be able to pre-select a choice.
  const choice = [...params.keys()].find((key) => CHOICE_FIELDS.has(key));
  if (choice) return `"${choice}" is not an authorize parameter.`;
  if (params.get("client_id") !== standIn.clientId) return 'Unknown "client_id".';
  // Checked before anything else can redirect: RFC 6749 §4.1.2.1 forbids redirecting to an
  // unregistered URI, which would make this an open redirector.
  const redirectUri = params.get("redirect_uri") ?? "";
  if (!standIn.redirectUris.some((registered) => matchesRedirectUri(registered, redirectUri))) {
    return '"redirect_uri" is not allowed.';
  }
  if (params.get("response_type") !== "code") return '"response_type" must be "code".';
  if (params.get("provider") !== "authkit") return '"provider" must be "authkit".';
  const screenHint = params.get("screen_hint") ?? "sign-in";
  if (screenHint !== "sign-in" && screenHint !== "sign-up") {
    return '"screen_hint" must be "sign-in" or "sign-up".';
  }
  const codeChallenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method");
  if ((codeChallenge !== undefined || method !== null) && method !== "S256") {
    return 'Only "code_challenge_method=S256" is supported.';
  }
  if (codeChallenge !== undefined && !S256_CHALLENGE.test(codeChallenge)) {
    return '"code_challenge" must be a base64url SHA-256 digest.';
  }
  const maxAge = params.get("max_age") ?? undefined;
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) {
    return '"max_age" must be a number of seconds.';
  }
  const organizationId = params.get("organization_id") ?? undefined;
  if (
    organizationId !== undefined &&
    !standIn.seed.organizations.some((organization) => organization.id === organizationId)
  ) {
    return 'Unknown "organization_id".';
  }
  return {
    redirectUri,
    state: params.get("state") ?? undefined,
    signUp: screenHint === "sign-up",
    loginHint: params.get("login_hint") ?? undefined,
    organizationId,
    codeChallenge,
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
    params,
  };
}

/** Answers the authorize URL with the sign-in page, or a 400 page. */
export function handleAuthorize(standIn: StandInState, request: Request): Response {
  const authorization = parseAuthorizationRequest(standIn, new URL(request.url).searchParams);
  if (typeof authorization === "string") return renderErrorPage(authorization);
  const { organizationId } = authorization;
  // Into an organization, only its members are offered, as AuthKit would allow only them.
  const canEnter = (userId: string) =>
    organizationId === undefined || isMember(standIn, userId, organizationId);
  return renderSignInPage({
    appName: standIn.seed.appName,
    signUp: authorization.signUp,
    users: [...standIn.users.values()].filter((user) => canEnter(user.id)),
    impersonations: standIn.seed.impersonations.filter((entry) => canEnter(entry.userId)),
    params: authorization.params,
    loginHint: authorization.loginHint,
    organizationName: standIn.seed.organizations.find((o) => o.id === organizationId)?.name,
    maxAge: authorization.maxAge,
    lastSignIns: lastSignInAges(standIn),
  });
}

/** Completes the sign-in page's form: redirects with a code, or with `access_denied`. */
export async function handleAuthorizeComplete(
  standIn: StandInState,
  request: Request,
  info?: Deno.ServeHandlerInfo<Deno.NetAddr>,
): Promise<Response> {
  const form = await request.formData().catch(() => undefined);
  if (!form) return renderErrorPage("The form could not be read.");
  const fields = new URLSearchParams();
  for (const [name, value] of form) {
    if (typeof value === "string" && !CHOICE_FIELDS.has(name)) fields.append(name, value);
  }
  // The hidden fields came back from the browser, so they are validated again.
  const authorization = parseAuthorizationRequest(standIn, fields);
  if (typeof authorization === "string") return renderErrorPage(authorization);

  const location = new URL(authorization.redirectUri);
  if (form.has("cancel")) {
    location.searchParams.set("error", "access_denied");
    location.searchParams.set("error_description", "The user cancelled");
  } else {
    const signIn = chooseSignIn(standIn, form);
    if (!signIn) return renderErrorPage("Choose a user, an impersonation or an email address.");
    const { organizationId } = authorization;
    if (organizationId !== undefined && !isMember(standIn, signIn.userId, organizationId)) {
      return renderErrorPage("This user is not a member of the organization.");
    }
    const code = issueCode(standIn, {
      ...signIn,
      authTime: authenticate(standIn, signIn, authorization.maxAge),
      ipAddress: info?.remoteAddr.hostname ?? null,
      userAgent: request.headers.get("user-agent"),
      organizationId,
      clientId: standIn.clientId,
      codeChallenge: authorization.codeChallenge,
    });
    location.searchParams.set("code", code);
  }
  if (authorization.state !== undefined) location.searchParams.set("state", authorization.state);
  return redirectResponse(location);
}

/**
 * The sign-in's `auth_time`: the user's earlier authentication when AuthKit would still honour
 * it (within `max_age`, when the app sent one), else now, which becomes the one remembered. An
 * impersonation is always a fresh authentication (of the admin).
 */
function authenticate(standIn: StandInState, signIn: SignIn, maxAge: number | undefined): number {
  const now = standIn.now();
  const earlier = standIn.lastAuthentications.get(signIn.userId);
  const reusable = earlier !== undefined && signIn.impersonator === undefined &&
    (maxAge === undefined || now - earlier <= maxAge * 1000);
  if (reusable) return Math.floor(earlier / 1000);
  if (signIn.impersonator === undefined) standIn.lastAuthentications.set(signIn.userId, now);
  return Math.floor(now / 1000);
}

/** Seconds since each remembered user's last authentication, for the page. */
function lastSignInAges(standIn: StandInState): Map<string, number> {
  const now = standIn.now();
  return new Map(
    [...standIn.lastAuthentications].map(([userId, at]) => [userId, Math.floor((now - at) / 1000)]),
  );
}

function isMember(standIn: StandInState, userId: string, organizationId: string): boolean {
  return findMembership(standIn.seed, userId, organizationId) !== undefined;
}

function chooseSignIn(standIn: StandInState, form: FormData): SignIn | undefined {
  const userId = form.get("user_id");
  if (typeof userId === "string") {
    return standIn.users.has(userId) ? { userId, authenticationMethod: "Password" } : undefined;
  }
  const impersonation = form.get("impersonation");
  if (typeof impersonation === "string") {
    const entry = standIn.seed.impersonations.find((_, index) => String(index) === impersonation);
    if (!entry) return undefined;
    return {
      userId: entry.userId,
      authenticationMethod: "Impersonation",
      impersonator: { email: entry.adminEmail, reason: entry.reason },
    };
  }
  const email = form.get("email");
  if (typeof email === "string" && EMAIL.test(email.trim())) {
    return { userId: findOrCreateUser(standIn, email).id, authenticationMethod: "Password" };
  }
  return undefined;
}
