/**
 * Fixtures for the stand-in's contract tests: a stand-in on a random port, the real v6 client
 * pointed at it, and a sign-in driven through its page.
 *
 * @module
 */
import { OauthException, WorkOS } from "@workos-inc/node";
import { decodeJwt } from "jose";
import { assertEquals, assertRejects } from "@std/assert";
import { type StandIn, type StandInOptions, startStandIn } from "../../src/dev/standin/server.ts";

export const API_KEY = "sk_test_stand_in";
export const CLIENT_ID = "client_01STANDIN";
export const REDIRECT_URI = "http://localhost:4321/auth/callback";
export const ADA = "user_01ADA000000000000000000000";
export const GRACE = "user_01GRACE0000000000000000000";
export const ORG = "org_01EXAMPLE00000000000000000";

export interface Fixture {
  standIn: StandIn;
  workos: WorkOS;
}

/** Runs `test` against a fresh stand-in on a random port, and always closes it. */
export async function withStandIn(
  test: (fixture: Fixture) => Promise<void>,
  options: Partial<StandInOptions> = {},
): Promise<void> {
  const standIn = await startStandIn({
    apiKey: API_KEY,
    clientId: CLIENT_ID,
    redirectUris: [REDIRECT_URI],
    quiet: true,
    ...options,
  });
  try {
    await test({ standIn, workos: clientFor(standIn) });
  } finally {
    await standIn.close();
  }
}

export function clientFor(standIn: StandIn, apiKey = API_KEY): WorkOS {
  return new WorkOS(apiKey, { apiHostname: standIn.hostname, port: standIn.port, https: false });
}

export function authorizeUrl(
  workos: WorkOS,
  extra: Record<string, string> = {},
  screenHint?: "sign-up",
): string {
  const url = new URL(workos.userManagement.getAuthorizationUrl({
    provider: "authkit",
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    state: "state-123",
    screenHint,
  }));
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return url.href;
}

/** Loads the sign-in page and submits its first form's hidden fields plus `choice`. */
export async function submitSignInPage(
  standIn: StandIn,
  url: string,
  choice: Record<string, string>,
): Promise<Response> {
  const page = await fetch(url);
  const html = await page.text();
  assertEquals(page.status, 200);
  const firstForm = html.slice(0, html.indexOf("</form>"));
  const action = firstForm.match(/<form method="post" action="([^"]+)">/)![1];
  const fields = new URLSearchParams();
  for (
    const [, name, value] of firstForm.matchAll(/type="hidden" name="([^"]*)" value="([^"]*)"/g)
  ) {
    fields.append(unescapeHtml(name), unescapeHtml(value));
  }
  for (const [name, value] of Object.entries(choice)) fields.set(name, value);
  const response = await fetch(new URL(action, standIn.url), {
    method: "POST",
    body: fields,
    redirect: "manual",
  });
  await response.body?.cancel();
  return response;
}

/** Signs in through the page and returns the code from the redirect. */
export async function signIn(
  { standIn, workos }: Fixture,
  choice: Record<string, string> = { user_id: ADA },
  extra: Record<string, string> = {},
): Promise<string> {
  const response = await submitSignInPage(standIn, authorizeUrl(workos, extra), choice);
  assertEquals(response.status, 302);
  const location = new URL(response.headers.get("location")!);
  assertEquals(location.origin + location.pathname, REDIRECT_URI);
  assertEquals(location.searchParams.get("state"), "state-123");
  return location.searchParams.get("code")!;
}

export function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
}

export async function oauthError(fn: () => Promise<unknown>): Promise<OauthException> {
  return await assertRejects(fn, OauthException) as OauthException;
}

export function sessionIdOf(session: Record<string, unknown>): string {
  return String(decodeJwt(String(session.access_token)).sid);
}

/** The v6 logout URL plus the `return_to` it cannot add itself. */
export function logoutUrl(workos: WorkOS, sessionId: string, returnTo: string): string {
  const url = workos.userManagement.getLogoutUrl({ sessionId });
  return `${url}&return_to=${encodeURIComponent(returnTo)}`;
}
