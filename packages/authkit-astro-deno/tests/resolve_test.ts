/**
 * `auth.resolveSession()` with real signed-in cookies (SECURITY-CASES S17, S19, S23–S26, the
 * session lifetime and the verified-session cache), the fake WorkOS behind `fetch`.
 */
import { decodeJwt } from "jose";
import { assert, assertEquals, assertExists, assertNotEquals } from "@std/assert";
import { type Auth, type AuthOptions, createAuth } from "../src/auth.ts";
import type { Resolution } from "../src/session/resolve.ts";
import { createSessionCookie, openSession } from "../src/session/session.ts";
import {
  defaultClaims,
  type FakeWorkOS,
  installFakeWorkOS,
  json,
  never,
  signToken,
  testConfig,
} from "./support/fake_workos.ts";
import {
  createClock,
  parseSetCookie,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
  STORED_USER,
} from "./support/flow.ts";

/** A fake, a clock and an auth layer, with one user signed in at the clock's start. */
async function signedIn(options: AuthOptions = {}, env: Record<string, string> = {}) {
  const fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(env), { now: clock.now, ...options });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const resolve = (cookie = sessionCookie) =>
    auth.resolveSession(requestWithCookies("/dashboard", [cookie]));
  return {
    fake,
    clock,
    auth,
    sessionCookie,
    resolve,
    [Symbol.dispose]: () => fake[Symbol.dispose](),
  };
}

/** Answers refreshes with tokens valid from the clock's current time. */
function answerRefreshesAt(fake: FakeWorkOS, clock: { ms: number }): void {
  fake.onAuthenticate = () =>
    fake.successfulAuthentication(defaultClaims(Math.floor(clock.ms / 1000)));
}

async function storedSession(auth: Auth, cookiePair: string) {
  const opened = await openSession(parseSetCookie(cookiePair).value, auth.config, Date.now());
  assertExists(opened);
  return opened.value;
}

function assertSignedIn(r: Resolution): asserts r is Extract<Resolution, { kind: "signed-in" }> {
  assertEquals(r.kind, "signed-in", JSON.stringify(r));
}

Deno.test("resolveSession() maps a valid session's claims into the auth context", async () => {
  using s = await signedIn();
  const r = await s.resolve();
  assertSignedIn(r);
  assertEquals(r.auth.user, STORED_USER);
  assertEquals(r.auth.sessionId, "session_01TEST");
  assertEquals(r.auth.organizationId, "org_01ACME");
  assertEquals(r.auth.role, "admin");
  assertEquals(r.auth.roles, ["admin"]);
  assertEquals(r.auth.permissions, ["posts:read", "posts:write"]);
  assertEquals(r.auth.entitlements, ["audit-logs"]);
  assertEquals(r.auth.featureFlags, ["beta"]);
  assertEquals(r.auth.impersonator, null);
  assertEquals(r.setCookies?.[0], undefined);
  assertEquals(refreshCalls(s.fake).length, 0);
});

Deno.test("S19 resolveSession() rejects a seal whose user.id differs from the token's sub", async () => {
  using s = await signedIn();
  const session = await storedSession(s.auth, s.sessionCookie);
  session.accessToken = await signToken(s.fake.key, { sub: "user_01MALLORY" });
  const { headers: [header] } = await createSessionCookie(session, s.auth.config, Date.now());
  const r = await s.resolve(parseSetCookie(header).pair);
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "token_invalid" });
  assertEquals(refreshCalls(s.fake).length, 0);
});

Deno.test("S23 resolveSession() refreshes an expired token once and re-seals the stored user", async () => {
  using s = await signedIn();
  const stored = await storedSession(s.auth, s.sessionCookie);
  s.clock.advance(600);
  answerRefreshesAt(s.fake, s.clock);
  const r = await s.resolve();
  assertSignedIn(r);
  const refreshes = refreshCalls(s.fake);
  assertEquals(refreshes.length, 1);
  assertEquals(refreshes[0].refresh_token, stored.refreshToken);
  assertExists(r.setCookies?.[0]);
  const renewed = parseSetCookie(r.setCookies![0]);
  assertEquals(renewed.name, "wos-session");
  assertNotEquals(renewed.pair, s.sessionCookie);
  // The refresh answer's user is snake_case on the wire: the stored camelCase user is kept.
  assertEquals(r.auth.user, STORED_USER);
  const resealed = await storedSession(s.auth, renewed.pair);
  assertEquals(resealed.user, STORED_USER);
  assertNotEquals(resealed.refreshToken, stored.refreshToken);
  assertEquals(resealed.expiresAt, stored.expiresAt);
});

Deno.test("S23 resolveSession() refreshes a token that expires within 60 seconds", async () => {
  using s = await signedIn();
  s.clock.advance(300 - 30);
  answerRefreshesAt(s.fake, s.clock);
  const r = await s.resolve();
  assertSignedIn(r);
  assertEquals(refreshCalls(s.fake).length, 1);
  assertExists(r.setCookies?.[0]);
});

Deno.test("S24 resolveSession() signs out and clears the cookie when refresh answers invalid_grant", async () => {
  using s = await signedIn();
  s.clock.advance(600);
  s.fake.onAuthenticate = () => json(400, { error: "invalid_grant", error_description: "used" });
  const r = await s.resolve();
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "refresh_rejected" });
  assertEquals(refreshCalls(s.fake).length, 1);
});

const OUTAGES: Record<string, [() => Response | Promise<Response>, string]> = {
  "429": [() => json(429, { message: "Too many requests" }), "upstream_unavailable"],
  "500": [() => json(500, { message: "Internal Server Error" }), "upstream_unavailable"],
  "network error": [() => {
    throw new TypeError("error sending request");
  }, "upstream_unavailable"],
  "hang": [never, "upstream_timeout"],
};

Deno.test("S25 resolveSession() reports an expired session as unavailable during an outage", async (t) => {
  for (const [name, [answer, code]] of Object.entries(OUTAGES)) {
    await t.step(name, async () => {
      using s = await signedIn({ upstreamTimeoutMs: 200, exchangeTimeoutMs: 200 });
      s.clock.advance(600);
      s.fake.onAuthenticate = answer;
      const r = await s.resolve();
      // "unavailable" carries no clearCookie: the guard keeps the cookie.
      assertEquals(r.kind === "unavailable" && r.error.code, code);
      assertEquals(refreshCalls(s.fake).length, 1);
    });
  }
});

Deno.test("S25 resolveSession() keeps a nearly expired but valid token during an outage", async (t) => {
  for (const [name, [answer]] of Object.entries(OUTAGES)) {
    await t.step(name, async () => {
      using s = await signedIn({ upstreamTimeoutMs: 200, exchangeTimeoutMs: 200 });
      const before = await s.resolve();
      assertSignedIn(before);
      s.clock.advance(300 - 30);
      s.fake.onAuthenticate = answer;
      const r = await s.resolve();
      assertSignedIn(r);
      assertEquals(r.auth.accessToken, before.auth.accessToken);
      assertEquals(r.setCookies?.[0], undefined);
      assertEquals(refreshCalls(s.fake).length, 1);
    });
  }
});

Deno.test("S26 resolveSession() shares one refresh among 20 parallel requests and late arrivals", async () => {
  using s = await signedIn();
  s.clock.advance(600);
  answerRefreshesAt(s.fake, s.clock);
  const results = await Promise.all(Array.from({ length: 20 }, () => s.resolve()));
  for (const r of results) assertSignedIn(r);
  assertEquals(refreshCalls(s.fake).length, 1);
  s.clock.advance(20);
  const late = await s.resolve();
  assertSignedIn(late);
  assertExists(late.setCookies?.[0]);
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("resolveSession() signs out and clears a session past its absolute lifetime", async () => {
  using s = await signedIn({}, { WORKOS_SESSION_MAX_AGE: "3600" });
  s.clock.advance(3601);
  answerRefreshesAt(s.fake, s.clock);
  const r = await s.resolve();
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "session_invalid" });
  assertEquals(refreshCalls(s.fake).length, 0);
});

Deno.test("S17 resolveSession() accepts a seal under an older password id and re-seals it under the newest", async () => {
  const [old, current] = ["o".repeat(32) + "-old-password", "n".repeat(32) + "-new-password"];
  using s = await signedIn({}, { WORKOS_COOKIE_PASSWORD: old });
  assertEquals(parseSetCookie(s.sessionCookie).value.split("*")[1], "1");
  const rotated = createAuth(
    testConfig({ WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: current, 1: old }) }),
  );
  const r = await rotated.resolveSession(requestWithCookies("/dashboard", [s.sessionCookie]));
  assertSignedIn(r);
  assertExists(r.setCookies?.[0]);
  const resealed = parseSetCookie(r.setCookies![0]);
  assertEquals(resealed.name, "wos-session");
  assertEquals(resealed.value.split("*")[1], "2");
  assertEquals((await storedSession(rotated, resealed.pair)).user, STORED_USER);
});

Deno.test("resolveSession() serves a repeated cookie from the verified-session cache", async () => {
  using s = await signedIn();
  const first = await s.resolve();
  assertSignedIn(first);
  for (let i = 0; i < 200; i++) {
    const r = await s.resolve();
    assertSignedIn(r);
    // The same object: the memo was served, nothing was unsealed or verified again.
    assert(r.auth === first.auth);
  }
  assert(s.fake.calls.jwks <= 1, `${s.fake.calls.jwks} JWKS calls`);
  assertEquals(s.auth.cache.size, 1);
});

Deno.test("resolveSession() answers a cache hit and a missing cookie without a promise, a miss with one", async () => {
  using s = await signedIn();
  const miss = s.resolve();
  assert(miss instanceof Promise, "the first view opens and verifies the seal");
  assertSignedIn(await miss);
  const hit = s.resolve();
  assert(!(hit instanceof Promise), "a cached session is answered synchronously");
  assertSignedIn(hit);
  const none = s.auth.resolveSession(requestWithCookies("/", []));
  assertEquals(none, { kind: "signed-out", clearCookie: false });
  // A tampered copy of the cached seal is not the same key: it takes the full path and fails.
  const at = s.sessionCookie.length - 200; // inside the ciphertext, which the seal's HMAC covers
  const flipped = s.sessionCookie[at] === "A" ? "B" : "A";
  const tampered = s.resolve(
    s.sessionCookie.slice(0, at) + flipped + s.sessionCookie.slice(at + 1),
  );
  assert(tampered instanceof Promise);
  assertEquals((await tampered).kind, "signed-out");
});

Deno.test("resolveSession() never serves a cached session past the token's exp minus 60 seconds", async () => {
  using s = await signedIn();
  const first = await s.resolve();
  assertSignedIn(first);
  const { exp } = decodeJwt(first.auth.accessToken);
  s.clock.ms = (exp! - 61) * 1000;
  const stillCached = await s.resolve();
  assert(stillCached.kind === "signed-in" && stillCached.auth === first.auth);
  assertEquals(refreshCalls(s.fake).length, 0);
  s.clock.ms = (exp! - 60) * 1000;
  answerRefreshesAt(s.fake, s.clock);
  const r = await s.resolve();
  assertSignedIn(r);
  assert(r.auth !== first.auth);
  assertNotEquals(r.auth.accessToken, first.auth.accessToken);
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S17 resolveSession() signs out and clears a seal whose password id was removed", async () => {
  using s = await signedIn();
  const retired = createAuth(
    testConfig({ WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: "n".repeat(40) }) }),
  );
  const r = await retired.resolveSession(requestWithCookies("/dashboard", [s.sessionCookie]));
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "session_invalid" });
});

Deno.test("S42 resolveSession() keys the cache by the seal: 1,000 distinct suffixes after ~ are one entry", async () => {
  using s = await signedIn();
  const first = await s.resolve();
  assertSignedIn(first);
  for (let i = 0; i < 1_000; i++) {
    const r = await s.resolve(`${s.sessionCookie}~${i.toString(36)}${"x".repeat(100)}`);
    assertSignedIn(r);
    assert(r.auth === first.auth, "served from the one cached entry");
  }
  assertEquals(s.auth.cache.size, 1);
});

Deno.test("S42 resolveSession() serves only the whole seal from the cache: a forgery that keeps its HMAC is a miss and evicts nothing", async () => {
  using s = await signedIn();
  const first = await s.resolve();
  assertSignedIn(first);
  const at = s.sessionCookie.length - 200; // inside the ciphertext; the HMAC at the end is kept
  for (const flipped of ["A", "B", "C"]) {
    const forged = s.sessionCookie.slice(0, at) + flipped + s.sessionCookie.slice(at + 1);
    if (forged === s.sessionCookie) continue;
    const r = s.resolve(forged);
    assert(r instanceof Promise, "a miss: the full path opens it");
    assertEquals((await r).kind, "signed-out");
    const hit = s.resolve();
    assert(!(hit instanceof Promise) && hit.kind === "signed-in" && hit.auth === first.auth);
  }
  assertEquals(s.auth.cache.size, 1);
});

Deno.test("S42 resolveSession() refuses an oversized session cookie without opening it", async () => {
  using s = await signedIn();
  const oversized = `${s.sessionCookie}~${"x".repeat(30_000)}`;
  const r = s.resolve(oversized);
  assert(!(r instanceof Promise), "refused synchronously: nothing unsealed or verified");
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "session_invalid" });
  assertEquals(s.auth.cache.size, 0);
});

Deno.test("S43 resolveSession() signs in, refreshes and re-chunks a session with 150 long permissions", async () => {
  const permissions = Array.from(
    { length: 150 },
    (_, i) => `workspace:${i}:documents:approve-and-publish`,
  );
  const fake = await installFakeWorkOS();
  using _fake = fake;
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const claims = (now: number) => ({ ...defaultClaims(now), permissions });
  const { callback } = await signInAndCallback(auth, fake, {
    claims: claims(Math.floor(clock.ms / 1000)),
  });
  const cookies = callback.headers.getSetCookie().filter((c) => c.startsWith("wos-session"));
  assert(cookies.length > 1, `chunked into ${cookies.length} cookies`);
  const first = await auth.resolveSession(requestWithCookies("/dashboard", cookies));
  assertSignedIn(first);
  assertEquals(first.auth.permissions, permissions);

  clock.advance(600);
  fake.onAuthenticate = () => fake.successfulAuthentication(claims(Math.floor(clock.ms / 1000)));
  const refreshed = await auth.resolveSession(requestWithCookies("/dashboard", cookies));
  assertSignedIn(refreshed);
  const renewed = refreshed.setCookies ?? [];
  assertEquals(renewed.length, cookies.length, "same number of chunks, nothing stale");
  const again = await auth.resolveSession(requestWithCookies("/dashboard", renewed));
  assertSignedIn(again);
  assertEquals(refreshCalls(fake).length, 1);
});

Deno.test("S43 resolveSession() clears a session that outgrows the chunk bound at refresh, never keeping the spent refresh token", async () => {
  using s = await signedIn();
  s.clock.advance(600);
  const permissions = Array.from({ length: 2_000 }, (_, i) => `permission-${i}-${"p".repeat(30)}`);
  s.fake.onAuthenticate = () =>
    s.fake.successfulAuthentication({
      ...defaultClaims(Math.floor(s.clock.ms / 1000)),
      permissions,
    });
  const r = await s.resolve();
  assertEquals(r, { kind: "signed-out", clearCookie: true, code: "session_too_large" });
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S48 resolveSession() hands out a deeply frozen context: a page's mutation cannot reach later requests", async () => {
  using s = await signedIn();
  const first = await s.resolve();
  assertSignedIn(first);
  const mutations: [string, (auth: Record<string, unknown>) => void][] = [
    ["replace the user", (auth) => void (auth.user = { id: "user_01MALLORY" })],
    ["rename the user", (auth) => void ((auth.user as { email: string }).email = "x@evil")],
    ["grant a permission", (auth) => void (auth.permissions as string[]).push("billing:manage")],
    ["drop the role", (auth) => void (auth.role = null)],
    ["add a field", (auth) => void (auth.isAdmin = true)],
  ];
  for (const [name, mutate] of mutations) {
    let threw = false;
    try {
      mutate(first.auth as unknown as Record<string, unknown>);
    } catch (error) {
      threw = error instanceof TypeError; // strict mode: writing to a frozen object throws
    }
    assert(threw, `${name}: the write must fail`);
  }
  const later = await s.resolve();
  assertSignedIn(later);
  assertEquals(later.auth.user, STORED_USER);
  assertEquals(later.auth.permissions, ["posts:read", "posts:write"]);
  assertEquals(later.auth.role, "admin");
  assert(Object.isFrozen(later.auth) && Object.isFrozen(later.auth.roles));
});

Deno.test("S43 resolveSession() re-chunks a session whose permissions grow at refresh, and deletes the stale chunks when they shrink", async () => {
  using s = await signedIn();
  const many = Array.from(
    { length: 150 },
    (_, i) => `workspace:${i}:documents:approve-and-publish`,
  );
  const answerWith = (permissions: string[]) => {
    s.fake.onAuthenticate = () =>
      s.fake.successfulAuthentication({
        ...defaultClaims(Math.floor(s.clock.ms / 1000)),
        permissions,
      });
  };
  s.clock.advance(600);
  answerWith(many);
  const grown = await s.resolve();
  assertSignedIn(grown);
  const large = grown.setCookies ?? [];
  assert(large.length >= 4, `${large.length} chunks`);
  assert(large.every((c) => !/Max-Age=0/.test(c)), "nothing deleted while growing");
  assertEquals(grown.auth.permissions, many);

  s.clock.advance(600);
  answerWith(["posts:read"]);
  const shrunk = await s.auth.resolveSession(requestWithCookies("/dashboard", large));
  assertSignedIn(shrunk);
  const set = (shrunk.setCookies ?? []).map(parseSetCookie);
  assertEquals(set.map((c) => [c.name, c.attributes["max-age"] === "0"]), [
    ["wos-session", false],
    ...large.slice(1).map((c) => [parseSetCookie(c).name, true]),
  ]);
  const again = await s.auth.resolveSession(requestWithCookies("/dashboard", [set[0].pair]));
  assertSignedIn(again);
  assertEquals(again.auth.permissions, ["posts:read"]);
  assertEquals(refreshCalls(s.fake).length, 2, "each refresh token spent once, none lost");
});
