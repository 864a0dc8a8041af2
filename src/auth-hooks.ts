/**
 * This app's sign-in hooks, named by `authkit({ hooks: "./src/auth-hooks.ts" })` in
 * `astro.config.mjs`. A B2B app provisions a user row, checks an invitation or an allow-list, or
 * records an audit event here; this one admits the seeded domain only and writes an audit line.
 */
import type { SignInEvent, SignOutEvent } from "@authkit-deno/astro/server";

/** Who may sign in: the stand-in's seeded people. Anyone else is asked for an invitation. */
const INVITED_DOMAIN = "@example.com";

/** Runs after AuthKit verified the user, before the session cookie is set. */
export function onSignIn({ user, organizationId, state }: SignInEvent): Response | void {
  if (!user.email.toLowerCase().endsWith(INVITED_DOMAIN)) return notInvited();
  // `state` is whatever the sign-in link carried (here, which page it was on): anyone can write a
  // link, so it is recorded as data, never trusted.
  audit({ event: "signed_in", userId: user.id, organizationId, via: state });
}

/** Runs after the session ended everywhere; sign-out does not wait for it. */
export function onSignOut({ user }: SignOutEvent): void {
  audit({ event: "signed_out", userId: user.id });
}

function audit(entry: Record<string, unknown>): void {
  console.error(JSON.stringify({ time: new Date().toISOString(), ...entry }));
}

function notInvited(): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Invitation needed</title><link rel="icon" href="/favicon.svg"></head>
<body><main><h1>Invitation needed</h1>
<p>This workspace is open to invited people only. Ask your administrator for an invitation.</p>
<p><a href="/">Home</a></p></main></body></html>`;
  return new Response(body, {
    status: 403,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
