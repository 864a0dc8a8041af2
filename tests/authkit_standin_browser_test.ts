/**
 * Contract tests of the AuthKit stand-in's browser-facing side (hosted page, logout, faults),
 * driven through the real `@workos-inc/node` v6 client, as the app uses it.
 */
import { GenericServerException } from "@workos-inc/node";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { parseSeed } from "../packages/authkit-astro-deno/src/dev/standin/seed.ts";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { completeAtStandIn } from "./support/http_client.ts";
import {
  ADA,
  API_KEY,
  authorizeUrl,
  CLIENT_ID,
  GRACE,
  logoutUrl,
  oauthError,
  REDIRECT_URI,
  sessionIdOf,
  signIn,
  submitSignInPage,
  withStandIn,
} from "../packages/authkit-astro-deno/tests/support/standin.ts";

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
  await withStandIn(async ({ workos }) => {
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
    const completion = await completeAtStandIn(new URL(authorizeUrl(workos)), {
      redirect_uri: "https://evil.example/",
      user_id: ADA,
    });
    assertEquals(completion.status, 400);
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
