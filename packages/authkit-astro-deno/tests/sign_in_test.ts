/**
 * `GET /sign-in` and `GET /sign-up` (SECURITY-CASES S01, S12), called as plain handlers with the
 * fake WorkOS behind `fetch`.
 */
import { assert, assertEquals, assertExists, assertFalse, assertMatch } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { CLIENT_ID, FAKE_API, installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import { APP, getStateCookie, signInAndCallback, startSignIn } from "./support/flow.ts";

const BASE64URL_128_BITS = /^[A-Za-z0-9_-]{22,}$/;

Deno.test("S01 signIn() redirects to the WorkOS authorize URL with the AuthKit parameters", async () => {
  using _fake = await installFakeWorkOS();
  const { response, authorizeUrl } = await startSignIn(createAuth(testConfig()));
  assertEquals(response.status, 302);
  assertEquals(
    authorizeUrl.origin + authorizeUrl.pathname,
    `${FAKE_API}/user_management/authorize`,
  );
  const params = authorizeUrl.searchParams;
  assertEquals(params.get("client_id"), CLIENT_ID);
  assertEquals(params.get("redirect_uri"), `${APP}/auth/callback`);
  assertEquals(params.get("provider"), "authkit");
  assertEquals(params.get("response_type"), "code");
  assertMatch(params.get("state") ?? "", BASE64URL_128_BITS);
  assertEquals(params.get("code_challenge_method"), "S256");
  // S256 of a verifier: 32 bytes, 43 base64url characters (RFC 7636 §4.2).
  assertMatch(params.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert(params.get("screen_hint") !== "sign-up");
});

Deno.test("S01 signIn() takes redirect_uri from config, never from Host or X-Forwarded-Host", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const response = await auth.signIn(
    new Request("http://evil.example/sign-in", {
      headers: { host: "evil.example", "x-forwarded-host": "evil.example" },
    }),
  );
  const location = response.headers.get("location") ?? "";
  assertEquals(new URL(location).searchParams.get("redirect_uri"), `${APP}/auth/callback`);
  assertFalse(location.includes("evil.example"));
});

Deno.test("S01 signIn() issues a fresh state and PKCE challenge on every call", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const flows = await Promise.all(Array.from({ length: 20 }, () => startSignIn(auth)));
  const states = new Set(flows.map((flow) => flow.state));
  const challenges = new Set(flows.map((f) => f.authorizeUrl.searchParams.get("code_challenge")));
  assertEquals(states.size, 20);
  assertEquals(challenges.size, 20);
  for (const state of states) assertMatch(state, BASE64URL_128_BITS);
});

Deno.test("S01 signIn() sets an HttpOnly, SameSite=Lax, short-lived state cookie, not Secure on http", async () => {
  using _fake = await installFakeWorkOS();
  const { response } = await startSignIn(createAuth(testConfig()));
  const cookie = getStateCookie(response);
  assertExists(cookie);
  assert(cookie.value.length > 0);
  assertEquals(cookie.attributes["httponly"], true);
  assertEquals(String(cookie.attributes["samesite"]).toLowerCase(), "lax");
  assertEquals(cookie.attributes["path"], "/");
  const maxAge = Number(cookie.attributes["max-age"]);
  assert(maxAge > 0 && maxAge <= 600, `Max-Age ${maxAge} is not in (0, 600]`);
  assertFalse("secure" in cookie.attributes);
  assertFalse("domain" in cookie.attributes);
});

Deno.test("S01 signIn() marks the state cookie Secure when the redirect URI is https", async () => {
  using _fake = await installFakeWorkOS();
  const config = testConfig({ WORKOS_REDIRECT_URI: "https://app.example/auth/callback" });
  const { response } = await startSignIn(createAuth(config));
  assertEquals(getStateCookie(response)?.attributes["secure"], true);
});

Deno.test("S01 signIn() answers with Cache-Control: no-store", async () => {
  using _fake = await installFakeWorkOS();
  const { response } = await startSignIn(createAuth(testConfig()));
  assertEquals(response.headers.get("cache-control"), "no-store");
});

Deno.test("S01 signIn() never calls WorkOS: the authorize URL is built locally", async () => {
  using fake = await installFakeWorkOS();
  await startSignIn(createAuth(testConfig()));
  assertEquals(fake.calls, { authenticate: [], jwks: 0, revoke: [], other: [] });
});

Deno.test("S01 signUp() asks AuthKit for the sign-up screen", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const response = await auth.signUp(new Request(`${APP}/sign-up`));
  assertEquals(response.status, 302);
  const url = new URL(response.headers.get("location")!);
  assertEquals(url.origin + url.pathname, `${FAKE_API}/user_management/authorize`);
  assertEquals(url.searchParams.get("screen_hint"), "sign-up");
  assertMatch(url.searchParams.get("state") ?? "", BASE64URL_128_BITS);
  assertEquals(url.searchParams.get("code_challenge_method"), "S256");
  assertExists(getStateCookie(response));
});

Deno.test("S12 signIn() carries returnTo inside the sealed state, not on the authorize URL", async () => {
  using _fake = await installFakeWorkOS();
  const { authorizeUrl, stateCookie } = await startSignIn(
    createAuth(testConfig()),
    "/dashboard/settings",
  );
  assertFalse(authorizeUrl.href.includes("settings"));
  assertFalse(decodeURIComponent(stateCookie).includes("settings"));
});

Deno.test("S12 callback() lands on the returnTo given to signIn()", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { callback } = await signInAndCallback(auth, fake, { returnTo: "/dashboard/settings" });
  assertEquals(callback.status, 302);
  assertEquals(callback.headers.get("location"), "/dashboard/settings");
});

Deno.test("S12 S13 callback() lands on /dashboard for a hostile or missing returnTo", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const hostile = [
    undefined,
    "",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " /dashboard",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\r\nSet-Cookie: x=1",
    "/sign-in",
  ];
  for (const returnTo of hostile) {
    await t.step(JSON.stringify(returnTo ?? null), async () => {
      const { callback } = await signInAndCallback(auth, fake, { returnTo });
      assertEquals(callback.status, 302);
      assertEquals(callback.headers.get("location"), "/dashboard");
    });
  }
});
