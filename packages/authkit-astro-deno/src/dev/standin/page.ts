/**
 * The hosted sign-in page and the error page. Plain forms and inline CSS, so it works without
 * JavaScript and a browser test can click `#user-<id>`, `#impersonation-<n>` or `#cancel`.
 *
 * @module
 */
import type { SeedImpersonation, SeedUser } from "./seed.ts";
import type { Session } from "./state.ts";

/** Where every form on the sign-in page posts. */
export const COMPLETE_PATH = "/user_management/authorize/complete";

/** What the sign-in page shows. */
export interface SignInPage {
  appName: string;
  signUp: boolean;
  users: SeedUser[];
  impersonations: SeedImpersonation[];
  /** The authorize query, carried through each form so the completion can re-validate it. */
  params: URLSearchParams;
  /** Prefills the email field and puts the matching test user first, focused. */
  loginHint?: string;
  /** Set when signing in straight into an organization (`organization_id`). */
  organizationName?: string;
  /** The app's `max_age` (step-up): an older earlier sign-in must be repeated. */
  maxAge?: number;
  /** Seconds since each user's earlier authentication that AuthKit remembers. */
  lastSignIns?: Map<string, number>;
}

// The page needs no script and posts only to itself; it must not be framed (clickjacking).
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1d21; }
  main { max-width: 26rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 12px;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); }
  h1 { font-size: 1.5rem; margin: 0 0 1.5rem; }
  h2 { font-size: 0.875rem; text-transform: uppercase; letter-spacing: 0.04em; color: #555b66;
    margin: 1.5rem 0 0.5rem; }
  ul { list-style: none; padding: 0; margin: 0; }
  .badge { font-size: 0.75rem; color: #555b66; margin: 0 0 0.25rem; }
  button, input { font: inherit; width: 100%; box-sizing: border-box; border-radius: 8px;
    padding: 0.6rem 0.8rem; margin: 0.25rem 0; }
  button { display: block; text-align: left; background: #fff; border: 1px solid #c9ccd3;
    cursor: pointer; }
  button:hover { background: #f0f2f5; }
  button:focus-visible, input:focus-visible { outline: 3px solid #3b5bdb; outline-offset: 2px; }
  button small { display: block; color: #555b66; }
  input { border: 1px solid #8a8f99; }
  .primary { background: #3b5bdb; border-color: #3b5bdb; color: #fff; text-align: center; }
  .primary:hover { background: #2f4ac0; }
  .secondary { text-align: center; margin-top: 1.5rem; }
`;

/** Renders the sign-in (or sign-up) page. */
export function renderSignInPage(page: SignInPage): Response {
  const heading = page.signUp ? "Create your account" : `Sign in to ${page.appName}`;
  const hinted = (user: SeedUser) =>
    page.loginHint !== undefined && user.email.toLowerCase() === page.loginHint.toLowerCase();
  const users = [...page.users.filter(hinted), ...page.users.filter((user) => !hinted(user))];
  const userButtons = users.map((user) =>
    `<li><button type="submit"${hinted(user) ? ' autofocus aria-describedby="hint"' : ""} ` +
    `id="user-${escapeHtml(user.id)}" name="user_id" value="${escapeHtml(user.id)}">` +
    `${escapeHtml(`${user.firstName} ${user.lastName}`)} ` +
    `<small>${escapeHtml(user.email + describeLastSignIn(page, user.id))}</small></button></li>`
  );
  const context = [
    page.organizationName === undefined
      ? ""
      : `<p class="badge" id="organization">Into the organization ` +
        `<strong>${escapeHtml(page.organizationName)}</strong></p>`,
    users.some(hinted)
      ? `<p class="badge" id="hint">Suggested by the app: ${escapeHtml(page.loginHint!)}</p>`
      : "",
    page.maxAge === undefined ? "" : `<p class="badge" id="reauthenticate">${
      escapeHtml(
        `${page.appName} asks you to sign in again unless you did within the last ` +
          `${formatAge(page.maxAge)} (max_age=${page.maxAge}).`,
      )
    }</p>`,
  ].join("");
  const impersonationButtons = page.impersonations.map((entry, index) => {
    const user = page.users.find((u) => u.id === entry.userId);
    const target = user ? `${user.firstName} ${user.lastName}` : entry.userId;
    return `<li><button type="submit" id="impersonation-${index}" name="impersonation" ` +
      `value="${index}">${escapeHtml(`${entry.adminEmail} as ${target}`)} ` +
      `<small>${escapeHtml(entry.reason ?? "No reason given")}</small></button></li>`;
  });
  const hidden = hiddenInputs(page.params);
  const body = `
<p class="badge">Local AuthKit stand-in</p>
<h1>${escapeHtml(heading)}</h1>${context}
<form method="post" action="${COMPLETE_PATH}">${hidden}
  <h2 id="users-heading">Test users</h2>
  <ul role="list" aria-labelledby="users-heading">
    ${userButtons.join("\n    ")}
  </ul>
  ${
    impersonationButtons.length === 0 ? "" : `<h2 id="impersonation-heading">Impersonation</h2>
  <ul role="list" aria-labelledby="impersonation-heading">
    ${impersonationButtons.join("\n    ")}
  </ul>`
  }
</form>
<form method="post" action="${COMPLETE_PATH}">${hidden}
  <h2><label for="email">Or use an email address</label></h2>
  <input id="email" name="email" type="email" required autocomplete="email"
    value="${escapeHtml(page.loginHint ?? "")}">
  <button type="submit" id="continue-with-email" class="primary">Continue with email</button>
</form>
<form method="post" action="${COMPLETE_PATH}">${hidden}
  <button type="submit" id="cancel" name="cancel" value="1" class="secondary">Cancel</button>
</form>`;
  return new Response(document(heading, body), { headers: PAGE_HEADERS });
}

/** Where the admin page's revoke buttons post. */
export const ADMIN_REVOKE_PATH = "/admin/sessions/revoke";

/**
 * The stand-in's admin page: the active sessions, each with a "Revoke" button that ends it as
 * an admin would in the WorkOS dashboard (and sends `session.revoked` to the app).
 */
export function renderSessionsPage(sessions: Session[], users: Map<string, SeedUser>): Response {
  const rows = sessions.map((session) => {
    const user = users.get(session.userId);
    const name = user ? `${user.firstName} ${user.lastName} <${user.email}>` : session.userId;
    return `<li><form method="post" action="${ADMIN_REVOKE_PATH}">
      <input type="hidden" name="session_id" value="${escapeHtml(session.id)}">
      <button type="submit" id="revoke-${escapeHtml(session.id)}">Revoke ${escapeHtml(name)}
      <small>${escapeHtml(session.id)} · since ${escapeHtml(session.createdAt)}</small></button>
    </form></li>`;
  });
  const body = `
<p class="badge">Local AuthKit stand-in · admin · <a href="/admin/organizations">Organizations</a></p>
<h1>Active sessions</h1>
${rows.length === 0 ? "<p>No one is signed in.</p>" : `<ul role="list">${rows.join("\n")}</ul>`}`;
  return new Response(document("Active sessions", body), { headers: PAGE_HEADERS });
}

/** Renders a 400 page for a request that cannot be sent back to any redirect URI. */
export function renderErrorPage(message: string): Response {
  const body = `<h1>Invalid sign-in request</h1>\n<p>${escapeHtml(message)}</p>`;
  return new Response(document("Invalid sign-in request", body), {
    status: 400,
    headers: PAGE_HEADERS,
  });
}

/**
 * " · signed in 1 h ago", and " · sign in again" when `max_age` rules that out: what AuthKit's
 * remembered session means for this user's next sign-in.
 */
function describeLastSignIn(page: SignInPage, userId: string): string {
  const age = page.lastSignIns?.get(userId);
  if (age === undefined) return "";
  const stale = page.maxAge !== undefined && age > page.maxAge;
  return ` · signed in ${formatAge(age)} ago${stale ? " · sign in again" : ""}`;
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

function hiddenInputs(params: URLSearchParams): string {
  return [...params].map(([name, value]) =>
    `\n  <input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`
  ).join("");
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>${body}
</main>
</body>
</html>
`;
}

/** A stand-in page: the shared style, no script, never framed. */
export function renderDocument(title: string, body: string, status = 200): Response {
  return new Response(document(title, body), { status, headers: PAGE_HEADERS });
}

/** Text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
