/**
 * Contract tests of the AuthKit stand-in's token side (code exchange, refresh, PKCE, JWKS),
 * driven through the real `@workos-inc/node` v6 client and real jose verification.
 */
import { UnauthorizedException } from "@workos-inc/node";
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
} from "@std/assert";
import { CODE_LIFETIME_MS } from "../src/dev/standin/authenticate.ts";
import {
  ADA,
  API_KEY,
  CLIENT_ID,
  clientFor,
  GRACE,
  oauthError,
  ORG,
  signIn,
  withStandIn,
} from "./support/standin.ts";

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
    assertEquals(standIn.counts(), {
      authorize: 0,
      authenticate: 0,
      jwks: 1,
      logout: 0,
      revoke: 0,
      admin: 0,
      memberships: 0,
      organizations: 0,
      sessions: 0,
      api_keys: 0,
      api_key_validations: 0,
    });
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

Deno.test("stand-in: pause() holds requests unanswered until resume(), then spends a held refresh even if its client gave up", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const session = await standIn.issueSession(ADA);
    const grant = (refreshToken: unknown, signal?: AbortSignal) =>
      fetch(new URL("/user_management/authenticate", standIn.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          grant_type: "refresh_token",
          client_id: CLIENT_ID,
          client_secret: API_KEY,
          refresh_token: refreshToken,
        }),
        signal,
      });
    standIn.pause();
    const gaveUp = grant(session.refresh_token, AbortSignal.timeout(200));
    await assertRejects(() => gaveUp); // the client stops waiting; the stand-in holds the request
    const jwks = fetch(workos.userManagement.getJwksUrl(CLIENT_ID));
    const early = await Promise.race([jwks.then(() => "answered"), delay(200).then(() => "held")]);
    assertEquals(early, "held", "every endpoint is held while paused");
    standIn.resume();
    assertEquals((await jwks).status, 200);
    await (await jwks).body?.cancel();
    // On resume the held refresh was handled: its token is spent, as WorkOS would have spent it.
    const replay = await grant(session.refresh_token);
    assertEquals([replay.status, (await replay.json()).error], [400, "invalid_grant"]);
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
