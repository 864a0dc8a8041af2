/**
 * Step-up (SECURITY-CASES S59): `isRecent` from the verified token's `auth_time`, the
 * `requireRecentAuth` helper for pages, API routes and form posts, and `max_age` on the way to
 * AuthKit. Tokens are real RS256 JWTs from the fake WorkOS; verification is the real one.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes, assertThrows } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { readMaxAge } from "../src/core/hints.ts";
import { type RecentAuthContext, requireRecentAuth } from "../src/helpers/recent-auth.ts";
import { isRecent } from "../src/session/recent-auth.ts";
import { installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import {
  APP,
  createClock,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
  startSignIn,
} from "./support/flow.ts";

const NOW_MS = Date.UTC(2026, 11, 3, 9, 0, 0);
const NOW = NOW_MS / 1000;
const HTML = "text/html,application/xhtml+xml";

Deno.test("S59 isRecent() fails closed without auth_time, with one in the future, or when stale", async (t) => {
  const cases: [string, unknown, number, boolean][] = [
    ["signed in just now", NOW, 300, true],
    ["exactly max_age ago", NOW - 300, 300, true],
    ["one second too old", NOW - 301, 300, false],
    ["an hour ago", NOW - 3600, 300, false],
    ["max_age 0, signed in this second", NOW, 0, true],
    ["absent", undefined, 300, false],
    ["null", null, 300, false],
    ["a string", String(NOW), 300, false],
    ["a fraction", NOW - 0.5, 300, false],
    ["NaN", NaN, 300, false],
    ["within the 30 s clock skew ahead", NOW + 30, 300, true],
    ["further in the future", NOW + 31, 300, false],
    ["far in the future", NOW + 86_400 * 365, 300, false],
    ["negative max_age", NOW, -1, false],
    ["fractional max_age", NOW, 1.5, false],
    ["max_age over a year", NOW - 10, 366 * 86_400, false],
  ];
  for (const [name, authTime, maxAge, expected] of cases) {
    await t.step(name, () => {
      assertEquals(isRecent(authTime as number, maxAge, NOW_MS), expected);
    });
  }
});

/** What `requireRecentAuth` reads of Astro's context. */
function context(
  path: string,
  authTime: number | null | undefined,
  init: { method?: string; accept?: string } = {},
): RecentAuthContext {
  const url = new URL(path, APP);
  const request = new Request(url, {
    method: init.method ?? "GET",
    headers: { accept: init.accept ?? HTML },
  });
  return { request, url, locals: { auth: authTime === undefined ? null : { authTime } } };
}

const options = { maxAge: 300, now: () => NOW_MS };

Deno.test("S59 requireRecentAuth() lets a recent sign-in through, on pages, APIs and posts", () => {
  for (
    const ctx of [
      context("/dashboard/settings/security", NOW - 10),
      context("/api/delete", NOW - 10, { method: "POST", accept: "application/json" }),
      context("/dashboard/settings/security", NOW - 10, { method: "POST" }),
    ]
  ) {
    assertEquals(requireRecentAuth(ctx, options), null);
  }
});

Deno.test("S59 requireRecentAuth() sends a stale page through sign-in with max_age and back", () => {
  for (const authTime of [NOW - 3600, null]) {
    const response = requireRecentAuth(
      context("/dashboard/settings/security?tab=1", authTime),
      options,
    )!;
    assertEquals(response.status, 302);
    const location = new URL(response.headers.get("location")!, APP);
    assertEquals(location.pathname, "/sign-in");
    assertEquals(location.searchParams.get("returnTo"), "/dashboard/settings/security?tab=1");
    assertEquals(location.searchParams.get("maxAge"), "300");
    assertEquals(response.headers.get("cache-control"), "no-store");
  }
});

Deno.test("S59 requireRecentAuth() answers a stale API request 403 recent_auth_required (401 signed out)", async () => {
  const stale = requireRecentAuth(
    context("/api/delete", NOW - 3600, { method: "POST", accept: "application/json" }),
    options,
  )!;
  assertEquals(stale.status, 403);
  assertEquals(await stale.json(), { error: "recent_auth_required", maxAge: 300 });
  assertEquals(stale.headers.get("cache-control"), "no-store");
  const signedOut = requireRecentAuth(context("/api/delete", undefined), options)!;
  assertEquals(signedOut.status, 401);
  assertEquals(await signedOut.json(), { error: "unauthorized" });
});

Deno.test("S59 requireRecentAuth() refuses a stale form post whole: 403, the action never runs", async () => {
  let actionsRun = 0;
  // How a page uses it: the action runs only when the helper lets the request through.
  const handlePost = (ctx: RecentAuthContext) => {
    const refused = requireRecentAuth(ctx, options);
    if (refused) return refused;
    actionsRun++;
    return new Response("done");
  };
  const response = handlePost(
    context("/dashboard/settings/security", NOW - 301, { method: "POST" }),
  );
  assertEquals(response.status, 403);
  assertEquals(actionsRun, 0);
  const page = await response.text();
  assertStringIncludes(page, "recent_auth_required");
  assertStringIncludes(
    page,
    'href="/sign-in?returnTo=%2Fdashboard%2Fsettings%2Fsecurity&#38;maxAge=300"',
  );
  assertEquals(
    handlePost(context("/dashboard/settings/security", NOW, { method: "POST" })).status,
    200,
  );
  assertEquals(actionsRun, 1);
});

Deno.test("S59 requireRecentAuth() throws for a maxAge that is not whole seconds up to a year", () => {
  for (const maxAge of [-1, 1.5, NaN, Infinity, 400 * 86_400]) {
    assertThrows(() => requireRecentAuth(context("/x", NOW), { maxAge }), TypeError);
  }
});

Deno.test("S59 /sign-in?maxAge= puts max_age on the authorize URL; a malformed one is dropped", async (t) => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cases: [string, string | null][] = [
    ["300", "300"],
    ["0", "0"],
    ["-5", null],
    ["3e2", null],
    ["300&max_age=0", null],
    ["99999999999", null],
    ["", null],
  ];
  for (const [value, expected] of cases) {
    await t.step(JSON.stringify(value), async () => {
      const url = `${APP}/sign-in?returnTo=%2Fdashboard&maxAge=${encodeURIComponent(value)}`;
      const response = await auth.signIn(new Request(url));
      const authorize = new URL(response.headers.get("location")!);
      assertEquals(authorize.searchParams.getAll("max_age"), expected === null ? [] : [expected]);
      assertEquals(authorize.searchParams.get("code_challenge_method"), "S256");
    });
  }
  assertEquals(readMaxAge(String(366 * 86_400)), null);
  const plain = await startSignIn(auth);
  assertFalse(plain.authorizeUrl.searchParams.has("max_age"));
});

Deno.test("S59 the session's auth_time comes from the verified token and survives a refresh", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const signedInAt = Math.floor(clock.ms / 1000) - 3600;
  const { sessionCookie } = await signInAndCallback(auth, fake, {
    claims: { auth_time: signedInAt },
  });
  const first = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assert(first.kind === "signed-in");
  assertEquals(first.auth.authTime, signedInAt);
  assertFalse(auth.isRecent(first.auth, 300));
  assert(auth.isRecent(first.auth, 7200));

  // Five minutes on, the token is refreshed; WorkOS keeps `auth_time` in the new one.
  clock.advance(300);
  fake.onAuthenticate = () =>
    fake.successfulAuthentication({
      auth_time: signedInAt,
      iat: Math.floor(clock.ms / 1000),
      exp: Math.floor(clock.ms / 1000) + 300,
    });
  const refreshed = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assert(refreshed.kind === "signed-in");
  assertEquals(refreshCalls(fake).length, 1);
  assertEquals(refreshed.auth.authTime, signedInAt);
  assertFalse(auth.isRecent(refreshed.auth, 300), "a refresh is not a sign-in");
});

Deno.test("S59 a token without auth_time is never recent", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const resolution = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assert(resolution.kind === "signed-in");
  assertEquals(resolution.auth.authTime, null);
  assertFalse(auth.isRecent(resolution.auth, 86_400));
  assertFalse(auth.isRecent(null, 86_400));
});
