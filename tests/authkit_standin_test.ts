/**
 * Contract tests of the AuthKit stand-in, driven through the real `@workos-inc/node` v6 client
 * and real jose verification, as the app will use them.
 */
import {
  GenericServerException,
  OauthException,
  UnauthorizedException,
  WorkOS,
} from "@workos-inc/node";
import {
  base64url,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
} from "jose";
import {
  assert,
  assertEquals,
  assertExists,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { CODE_LIFETIME_MS } from "../src/dev/authkit/authenticate.ts";
import { parseSeed } from "../src/dev/authkit/seed.ts";
import { type StandIn, type StandInOptions, startStandIn } from "../src/dev/authkit/server.ts";

const API_KEY = "sk_test_stand_in";
const CLIENT_ID = "client_01STANDIN";
const REDIRECT_URI = "http://localhost:4321/auth/callback";
const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";
const ORG = "org_01EXAMPLE00000000000000000";

interface Fixture {
  standIn: StandIn;
  workos: WorkOS;
}

/** Runs `test` against a fresh stand-in on a random port, and always closes it. */
async function withStandIn(
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

function clientFor(standIn: StandIn, apiKey = API_KEY): WorkOS {
  return new WorkOS(apiKey, { apiHostname: standIn.hostname, port: standIn.port, https: false });
}

function authorizeUrl(
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
async function submitSignInPage(
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
async function signIn(
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

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
}

async function oauthError(fn: () => Promise<unknown>): Promise<OauthException> {
  return await assertRejects(fn, OauthException) as OauthException;
}

function sessionIdOf(session: Record<string, unknown>): string {
  return String(decodeJwt(String(session.access_token)).sid);
}

/** The v6 logout URL plus the `return_to` it cannot add itself. */
function logoutUrl(workos: WorkOS, sessionId: string, returnTo: string): string {
  const url = workos.userManagement.getLogoutUrl({ sessionId });
  return `${url}&return_to=${encodeURIComponent(returnTo)}`;
}

Deno.test("stand-in: authorize URL from the v6 client renders the sign-in page", async () => {
  await withStandIn(async ({ workos }) => {
    const response = await fetch(authorizeUrl(workos, { login_hint: "ada@example.com" }));
    const html = await response.text();
    assertEquals(response.status, 200);
    assertStringIncludes(response.headers.get("content-type")!, "text/html");
    assertStringIncludes(html, "<h1>Sign in to Example App</h1>");
    assertStringIncludes(html, `id="user-${ADA}" name="user_id" value="${ADA}">Ada Lovelace`);
    assertStringIncludes(html, `id="user-${GRACE}"`);
    assertStringIncludes(html, 'id="impersonation-0"');
    assertStringIncludes(html, "Continue with email");
    assertStringIncludes(html, 'value="ada@example.com"');
    assertStringIncludes(html, 'id="cancel"');
  });
});

Deno.test("stand-in: screen_hint=sign-up shows the sign-up heading", async () => {
  await withStandIn(async ({ workos }) => {
    const response = await fetch(authorizeUrl(workos, {}, "sign-up"));
    assertStringIncludes(await response.text(), "<h1>Create your account</h1>");
  });
});

Deno.test("stand-in: choosing a user redirects to redirect_uri with a code and the state", async () => {
  await withStandIn(async (fixture) => {
    assertMatch(await signIn(fixture), /^[A-Za-z0-9_-]{43}$/);
  });
});

Deno.test("stand-in: Cancel redirects with error=access_denied and the state", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const response = await submitSignInPage(standIn, authorizeUrl(workos), { cancel: "1" });
    assertEquals(response.status, 302);
    assertEquals(
      response.headers.get("location"),
      `${REDIRECT_URI}?error=access_denied&error_description=The+user+cancelled&state=state-123`,
    );
  });
});

Deno.test("stand-in: an unregistered redirect_uri or other invalid authorize request gets a 400 page, no redirect", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const hostile: Record<string, string>[] = [
      { redirect_uri: "https://evil.example/auth/callback" },
      { redirect_uri: `${REDIRECT_URI}/../../evil` },
      { redirect_uri: `${REDIRECT_URI}?next=x` },
      { redirect_uri: "" },
      { client_id: "client_unknown" },
      { user_id: ADA },
      { code_challenge: "x".repeat(43), code_challenge_method: "plain" },
    ];
    for (const extra of hostile) {
      const response = await fetch(authorizeUrl(workos, extra), { redirect: "manual" });
      await response.body?.cancel();
      assertEquals(response.status, 400, JSON.stringify(extra));
      assertEquals(response.headers.get("location"), null);
    }
    // The completion re-validates the echoed fields instead of trusting them.
    const tampered = new URLSearchParams(new URL(authorizeUrl(workos)).searchParams);
    tampered.set("redirect_uri", "https://evil.example/");
    tampered.set("user_id", ADA);
    const completion = await fetch(new URL("/user_management/authorize/complete", standIn.url), {
      method: "POST",
      body: tampered,
      redirect: "manual",
    });
    await completion.body?.cancel();
    assertEquals(completion.status, 400);
  });
});

Deno.test("stand-in: authenticateWithCode returns the user and tokens that verify against the JWKS URL", async () => {
  await withStandIn(async (fixture) => {
    const { standIn, workos } = fixture;
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: CLIENT_ID,
      code: await signIn(fixture),
    });
    assertEquals(auth.user, {
      object: "user",
      id: ADA,
      email: "ada@example.com",
      emailVerified: true,
      firstName: "Ada",
      lastName: "Lovelace",
      profilePictureUrl: null,
      createdAt: "2024-01-15T09:00:00.000Z",
      updatedAt: "2024-01-15T09:00:00.000Z",
    });
    assertEquals(auth.organizationId, ORG);
    assertEquals((auth as unknown as Record<string, unknown>).authentication_method, "Password");
    assertEquals(auth.impersonator, undefined);

    standIn.resetCounts();
    const jwks = createRemoteJWKSet(new URL(workos.userManagement.getJwksUrl(CLIENT_ID)));
    const verifyOptions = { issuer: standIn.url.origin, algorithms: ["RS256"] };
    const { payload, protectedHeader } = await jwtVerify(auth.accessToken, jwks, verifyOptions);
    assertEquals(protectedHeader.typ, "JWT");
    assertExists(protectedHeader.kid);
    assertEquals(payload.iss, `http://127.0.0.1:${standIn.port}`);
    assertEquals(payload.sub, ADA);
    assertMatch(String(payload.sid), /^session_/);
    assertEquals(payload.org_id, ORG);
    assertEquals(payload.role, "admin");
    assertEquals(payload.roles, ["admin"]);
    assertEquals(payload.permissions, ["posts:read", "posts:write", "billing:manage"]);
    assertEquals(payload.entitlements, ["audit-logs", "sso"]);
    assertEquals(payload.feature_flags, ["new-dashboard"]);
    assertExists(payload.jti);
    assertEquals(payload.exp! - payload.iat!, 300);
    assertEquals(payload.act, undefined);
    assert(auth.refreshToken.length >= 43);

    const second = await standIn.issueSession(GRACE);
    await jwtVerify(String(second.access_token), jwks, verifyOptions);
    assertEquals(standIn.counts(), { authorize: 0, authenticate: 0, jwks: 1, logout: 0 });
  });
});

Deno.test("stand-in: a code is single-use: the second exchange throws OauthException invalid_grant", async () => {
  await withStandIn(async (fixture) => {
    const code = await signIn(fixture);
    const exchange = () =>
      fixture.workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
    await exchange();
    const error = await oauthError(exchange);
    assertEquals([error.status, error.error], [400, "invalid_grant"]);
  });
});

Deno.test("stand-in: a code older than ten minutes is invalid_grant", async () => {
  let clock = Date.parse("2026-01-01T12:00:00Z");
  await withStandIn(async (fixture) => {
    const exchange = (code: string) =>
      fixture.workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
    const fresh = await signIn(fixture);
    const stale = await signIn(fixture);
    clock += CODE_LIFETIME_MS - 1;
    await exchange(fresh);
    clock += 1;
    assertEquals((await oauthError(() => exchange(stale))).error, "invalid_grant");
  }, { now: () => clock });
});

Deno.test("stand-in: a wrong client secret is a 401 UnauthorizedException", async () => {
  await withStandIn(async (fixture) => {
    const code = await signIn(fixture);
    const intruder = clientFor(fixture.standIn, "sk_test_wrong");
    await assertRejects(
      () => intruder.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code }),
      UnauthorizedException,
    );
  });
});

Deno.test("stand-in: an unknown grant_type is unsupported_grant_type", async () => {
  await withStandIn(async ({ workos }) => {
    const body = { grant_type: "password", client_id: CLIENT_ID, client_secret: API_KEY };
    const error = await oauthError(() => workos.post("/user_management/authenticate", body));
    assertEquals(error.error, "unsupported_grant_type");
  });
});

Deno.test("stand-in: authenticateWithRefreshToken rotates: the new token works, the old one is invalid_grant", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const session = await standIn.issueSession(ADA);
    const refresh = (refreshToken: string) =>
      workos.userManagement.authenticateWithRefreshToken({ clientId: CLIENT_ID, refreshToken });
    const refreshed = await refresh(String(session.refresh_token));
    assertNotEquals(refreshed.refreshToken, session.refresh_token);
    assertEquals(decodeJwt(refreshed.accessToken).sid, decodeJwt(String(session.access_token)).sid);
    // v6 leaves everything but the two tokens in snake_case.
    const { user } = refreshed as unknown as { user: { id: string } };
    assertEquals(user.id, ADA);

    const error = await oauthError(() => refresh(String(session.refresh_token)));
    assertEquals(error.error, "invalid_grant");
    await refresh(refreshed.refreshToken);
  });
});

Deno.test("stand-in: the logout URL ends the session and redirects to return_to", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const session = await standIn.issueSession(ADA);
    const returnTo = "http://localhost:4321/signed-out?x=1";
    const response = await fetch(logoutUrl(workos, sessionIdOf(session), returnTo), {
      redirect: "manual",
    });
    await response.body?.cancel();
    assertEquals([response.status, response.headers.get("location")], [302, returnTo]);

    const refresh = () =>
      workos.userManagement.authenticateWithRefreshToken({
        clientId: CLIENT_ID,
        refreshToken: String(session.refresh_token),
      });
    assertEquals((await oauthError(refresh)).error, "invalid_grant");
  });
});

Deno.test("stand-in: logout sends a return_to on an unregistered origin to the app's root", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const hostile = [
      "https://evil.example/",
      "//evil.example/",
      "javascript:alert(1)",
      "http://localhost:4321.evil.example/",
      "https://localhost:4321/",
      "http://localhost:9999/",
      "/relative",
      "",
    ];
    for (const returnTo of hostile) {
      const sessionId = sessionIdOf(await standIn.issueSession(ADA));
      const response = await fetch(logoutUrl(workos, sessionId, returnTo), { redirect: "manual" });
      await response.body?.cancel();
      assertEquals(response.headers.get("location"), "http://localhost:4321/", returnTo);
    }
  });
});

Deno.test("stand-in: a PKCE code needs the matching code_verifier", async () => {
  await withStandIn(async (fixture) => {
    const { workos } = fixture;
    const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    const pkce = {
      code_challenge: base64url.encode(new Uint8Array(digest)),
      code_challenge_method: "S256",
    };
    // v6 cannot send a code_verifier: post the body it would send, plus the verifier.
    const exchange = (code: string, codeVerifier?: string) =>
      workos.post("/user_management/authenticate", {
        grant_type: "authorization_code",
        client_id: CLIENT_ID,
        client_secret: API_KEY,
        code,
        code_verifier: codeVerifier,
      });
    const withoutVerifier = await signIn(fixture, undefined, pkce);
    assertEquals((await oauthError(() => exchange(withoutVerifier))).error, "invalid_grant");
    const wrongVerifier = await signIn(fixture, undefined, pkce);
    assertEquals(
      (await oauthError(() => exchange(wrongVerifier, "w".repeat(43)))).error,
      "invalid_grant",
    );
    // A verifier for a code issued without a challenge is a PKCE downgrade attempt.
    const withoutChallenge = await signIn(fixture);
    assertEquals(
      (await oauthError(() => exchange(withoutChallenge, verifier))).error,
      "invalid_grant",
    );

    const { data } = await exchange(await signIn(fixture, undefined, pkce), verifier);
    assertEquals((data as { user: { id: string } }).user.id, ADA);
  });
});

Deno.test("stand-in: rotateSigningKey publishes both keys and signs new tokens with the new kid", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const before = String((await standIn.issueSession(ADA)).access_token);
    const kid = await standIn.rotateSigningKey();
    const after = String((await standIn.issueSession(ADA)).access_token);
    const response = await fetch(workos.userManagement.getJwksUrl(CLIENT_ID));
    assertEquals(response.headers.get("content-type"), "application/json");
    const jwks = await response.json();
    assertEquals(jwks.keys.length, 2);
    assertEquals(jwks.keys[1], { ...jwks.keys[1], kid, kty: "RSA", alg: "RS256", use: "sig" });
    assertNotEquals(decodeProtectedHeader(before).kid, kid);
    assertEquals(decodeProtectedHeader(after).kid, kid);
    for (const token of [before, after]) await jwtVerify(token, createLocalJWKSet(jwks));
  });
});

Deno.test("stand-in: JWKS for an unknown client id is a 404", async () => {
  await withStandIn(async ({ workos }) => {
    const response = await fetch(workos.userManagement.getJwksUrl("client_unknown"));
    assertEquals([response.status, await response.json()], [404, { message: "Not Found" }]);
  });
});

Deno.test("stand-in: impersonation sessions carry act.sub and impersonator", async () => {
  await withStandIn(async (fixture) => {
    const code = await signIn(fixture, { impersonation: "0" });
    const auth = await fixture.workos.userManagement.authenticateWithCode({
      clientId: CLIENT_ID,
      code,
    });
    assertEquals(auth.user.id, GRACE);
    assertEquals(auth.impersonator, {
      email: "support@example.com",
      reason: "Investigating a billing ticket",
    });
    assertEquals(decodeJwt(auth.accessToken).act, { sub: "support@example.com" });

    const impersonator = { email: "ops@example.com", reason: null };
    const direct = await fixture.standIn.issueSession(ADA, { impersonator });
    assertEquals(direct.impersonator, impersonator);
    assertEquals(decodeJwt(String(direct.access_token)).act, { sub: "ops@example.com" });
  });
});

Deno.test("stand-in: an unknown email creates a user without an organization", async () => {
  await withStandIn(async (fixture) => {
    const code = await signIn(fixture, { email: "Jane.Doe@Example.com" });
    const auth = await fixture.workos.userManagement.authenticateWithCode({
      clientId: CLIENT_ID,
      code,
    });
    assertEquals([auth.user.email, auth.user.firstName, auth.user.lastName], [
      "jane.doe@example.com",
      "Jane",
      "Doe",
    ]);
    assertMatch(auth.user.id, /^user_/);
    assertEquals(auth.organizationId, undefined);
    assertEquals(decodeJwt(auth.accessToken).org_id, undefined);
    // Signing in again with the same address finds the same user.
    const again = await signIn(fixture, { email: "jane.doe@example.com" });
    const second = await fixture.workos.userManagement.authenticateWithCode({
      clientId: CLIENT_ID,
      code: again,
    });
    assertEquals(second.user.id, auth.user.id);
  });
});

Deno.test("stand-in: setAccessTokenTtl changes the lifetime of new access tokens", async () => {
  await withStandIn(async ({ standIn }) => {
    standIn.setAccessTokenTtl(-60);
    const { iat, exp } = decodeJwt(String((await standIn.issueSession(ADA)).access_token));
    assertEquals(exp! - iat!, -60);
  });
});

Deno.test("stand-in: error500 fault makes the SDK throw GenericServerException with status 500", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    standIn.setFault("authenticate", "error500");
    const error = await assertRejects(
      () => workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code: "any" }),
      GenericServerException,
    ) as GenericServerException;
    assertEquals(error.status, 500);
    assertEquals(standIn.counts().authenticate, 1);
    standIn.setFault("authenticate", null);
    assertEquals(
      (await oauthError(() =>
        workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code: "any" })
      )).error,
      "invalid_grant",
    );
  });
});

Deno.test("stand-in: html fault makes the SDK throw SyntaxError", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    standIn.setFault("authenticate", "html");
    await assertRejects(
      () => workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code: "any" }),
      SyntaxError,
    );
    standIn.setFault("jwks", "html");
    const response = await fetch(workos.userManagement.getJwksUrl(CLIENT_ID));
    assertEquals([response.status, response.headers.get("content-type")], [502, "text/html"]);
    assertStringIncludes(await response.text(), "502 Bad Gateway");
  });
});

Deno.test("stand-in: hang fault never answers: the client times out, and close() releases the held requests", async () => {
  const standIn = await startStandIn({
    apiKey: API_KEY,
    clientId: CLIENT_ID,
    redirectUris: [REDIRECT_URI],
    quiet: true,
  });
  standIn.setFault("jwks", "hang");
  const jwksUrl = new URL(`/sso/jwks/${CLIENT_ID}`, standIn.url);
  await assertRejects(() => fetch(jwksUrl, { signal: AbortSignal.timeout(200) }), DOMException);
  const pending = fetch(jwksUrl);
  // close() stops accepting connections, so wait until the second request is being held.
  while (standIn.counts().jwks < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  await standIn.close();
  const released = await pending;
  await released.body?.cancel();
  assertEquals(released.status, 503);
  assertEquals(standIn.counts().jwks, 2);
});

Deno.test("stand-in: parseSeed() lists every problem of an invalid seed at once", () => {
  const invalid = { appName: 1, users: [{ id: "user_1" }], roles: {} };
  const { message } = assertThrows(() => parseSeed(invalid));
  const problems = ['"appName"', '"users[0].email"', '"organizations"', '"roles"', '"memberships"'];
  for (const problem of problems) assertStringIncludes(message, problem);
});
