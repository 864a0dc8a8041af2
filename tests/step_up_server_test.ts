/**
 * Step-up, access tokens for browser code and "your sessions" on the built server, over HTTP,
 * against the local AuthKit stand-in (SECURITY-CASES S59, S60, S61). `deno task build` first.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { decodeJwt } from "jose";
import { completeAtStandIn, CookieJar, request, signIn } from "./support/http_client.ts";
import { type Stack, startInstances, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";
const KATHERINE = "user_01KATHERINE000000000000000"; // seeded: last signed in an hour ago
const SECURITY = "/dashboard/settings/security";

function url(stack: Stack, path: string): URL {
  return new URL(path, stack.appUrl);
}

/** A same-origin form post, as the page's own form sends it. */
function post(
  stack: Stack,
  jar: CookieJar,
  path: string,
  fields: Record<string, string>,
  origin?: string,
) {
  return request(url(stack, path), jar, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: {
      origin: origin ?? stack.appUrl.origin,
      "content-type": "application/x-www-form-urlencoded",
    },
  });
}

/** `GET /auth/access-token` as the page's script sends it. */
async function accessToken(stack: Stack, jar: CookieJar): Promise<string> {
  const { response, body } = await request(url(stack, "/auth/access-token"), jar, {
    headers: { "sec-fetch-site": "same-origin", accept: "application/json" },
  });
  assertEquals(response.status, 200, body);
  return JSON.parse(body).accessToken;
}

function bearer(stack: Stack, token: string, path = "/api/me") {
  return request(url(stack, path), new CookieJar(), {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
}

Deno.test("S59 built server: a stale sign-in goes through AuthKit with max_age=300 and lands back on the security page", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: KATHERINE });
  const stale = await request(url(stack, SECURITY), jar);
  assertEquals(stale.response.status, 302);
  const signInPath = stale.response.headers.get("location")!;
  assertEquals(signInPath, "/sign-in?returnTo=%2Fdashboard%2Fsettings%2Fsecurity&maxAge=300");

  const start = await request(url(stack, signInPath), jar);
  const authorizeUrl = new URL(start.response.headers.get("location")!);
  assertEquals(authorizeUrl.origin, stack.standIn.url.origin);
  assertEquals(authorizeUrl.searchParams.get("max_age"), "300");
  const page = await (await fetch(authorizeUrl)).text();
  assertStringIncludes(page, 'id="reauthenticate"', "AuthKit asks her to sign in again");

  const chosen = await completeAtStandIn(authorizeUrl, { user_id: KATHERINE });
  const callback = await request(chosen.headers.get("location")!, jar);
  assertEquals(callback.response.headers.get("location"), SECURITY);
  const fresh = await request(url(stack, SECURITY), jar);
  assertEquals(fresh.response.status, 200);
  assertStringIncludes(fresh.body, "Danger zone");
});

Deno.test("S59 built server: a stale danger-zone post is refused and does nothing; a fresh one runs", async () => {
  await using stack = await startStack();
  const katherine = new CookieJar();
  await signIn(stack, katherine, { userId: KATHERINE });
  const refused = await post(stack, katherine, SECURITY, { action: "reset-demo" });
  assertEquals(refused.response.status, 403);
  assertStringIncludes(refused.body, "recent_auth_required");
  assertStringIncludes(refused.body, "maxAge=300");
  assertEquals(refused.body.includes("Demo preferences reset"), false);

  const ada = new CookieJar(); // signs in now: auth_time is fresh
  await signIn(stack, ada, { userId: ADA });
  const done = await post(stack, ada, SECURITY, { action: "reset-demo" });
  assertEquals(done.response.status, 200);
  assertStringIncludes(done.body, "Demo preferences reset");
});

Deno.test("S60 built server: /auth/access-token serves same-origin code only, never cached, and the token is never in HTML", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const cases: [Record<string, string>, number][] = [
    [{ "sec-fetch-site": "cross-site", origin: "https://evil.example" }, 403],
    [{ origin: "https://evil.example" }, 403],
    [{ "sec-fetch-site": "same-origin" }, 200],
  ];
  for (const [headers, status] of cases) {
    const { response } = await request(url(stack, "/auth/access-token"), jar, { headers });
    assertEquals(response.status, status, JSON.stringify(headers));
    assertEquals(response.headers.get("cache-control"), "no-store");
    assertEquals(response.headers.get("vary"), "Cookie");
  }
  const signedOut = await request(url(stack, "/auth/access-token"), new CookieJar(), {
    headers: { "sec-fetch-site": "same-origin" },
  });
  assertEquals(signedOut.response.status, 401);

  const token = await accessToken(stack, jar);
  assertEquals(decodeJwt(token).sub, ADA);
  for (const path of ["/dashboard", "/dashboard/settings", "/dashboard/sessions", SECURITY, "/"]) {
    const { body } = await request(url(stack, path), jar);
    assertEquals(body.includes(token), false, `${path} must not render the token`);
    assertEquals(body.includes(token.split(".")[2]), false, `${path}: not even its signature`);
  }
});

Deno.test("S60 built server: /api/me answers a bearer token with its claims and the profile, never a Set-Cookie", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const token = await accessToken(stack, jar);
  const { response, body } = await bearer(stack, token);
  assertEquals(response.status, 200);
  assertEquals(response.headers.getSetCookie(), []);
  assertMatch(response.headers.get("vary") ?? "", /Authorization/);
  const me = JSON.parse(body);
  assertEquals(me.credential, "bearer");
  assertEquals(me.userId, ADA);
  assertEquals(me.sessionId, decodeJwt(token).sid);
  assertEquals(
    [me.organizationId, me.role, me.permissions],
    ["org_01EXAMPLE00000000000000000", "admin", ["posts:read", "posts:write", "billing:manage"]],
  );
  assertEquals(me.profile?.email, "ada@example.com", "remembered from her cookie session");

  // One character inside the signature changed (the last one may only carry padding bits).
  const at = token.lastIndexOf(".") + 10;
  const tampered = token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
  for (const bad of [tampered, "garbage", ""]) {
    const refused = await bearer(stack, bad);
    assertEquals(refused.response.status, 401);
    assertEquals(JSON.parse(refused.body), { error: "unauthorized" });
    assertEquals(refused.response.headers.getSetCookie(), []);
  }
  // Signed out: the session is revoked everywhere, and so is its access token.
  const signOut = await post(stack, jar, "/sign-out", {});
  assertEquals(signOut.response.status, 302);
  assertEquals((await bearer(stack, token)).response.status, 401);
  assert(!stack.logs().includes(token), "no token in the logs");
});

Deno.test("S61 built servers: Ada ends her other browser's session from one instance; both refuse it within 2 s", async () => {
  await using pair = await startInstances();
  const first = new CookieJar();
  const second = new CookieJar();
  await signIn(pair.a, first, { userId: ADA });
  await signIn(pair.a, second, { userId: ADA });
  const secondCookie = second.get("wos-session")!;
  for (const instance of [pair.a, pair.b]) {
    assertEquals((await request(url(instance, "/dashboard"), second)).response.status, 200);
  }
  const page = await request(url(pair.a, "/dashboard/sessions"), first);
  assertEquals(page.response.status, 200);
  const ids = [...page.body.matchAll(/id="revoke-(session_[A-Za-z0-9]+)"/g)].map((m) => m[1]);
  assertEquals(ids.length, 1, "one other session, with its own form");
  assertEquals([...page.body.matchAll(/This browser/g)].length, 1);
  assertStringIncludes(page.body, "127.0.0.1");
  const secondSid = String(decodeJwt(await accessToken(pair.a, second)).sid);
  assertEquals(ids[0], secondSid);

  const revoked = await post(pair.a, first, "/auth/sessions/revoke", {
    sessionId: secondSid,
    returnTo: "/dashboard/sessions", // as the page's form sends it
  });
  assertEquals(revoked.response.status, 303);
  assertEquals(revoked.response.headers.get("location"), "/dashboard/sessions");
  const started = performance.now();
  const pending = new Set([pair.a, pair.b]);
  while (pending.size > 0 && performance.now() - started < 2_000) {
    for (const instance of [...pending]) {
      const jar = new CookieJar();
      jar.set("wos-session", secondCookie);
      const { response } = await request(url(instance, "/dashboard"), jar);
      if (response.status === 302) pending.delete(instance);
      else assertEquals(response.status, 200);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals(pending.size, 0, "refused on both instances within 2 s");
  console.log(`  refused on both instances ${Math.round(performance.now() - started)} ms after`);
  for (const instance of [pair.a, pair.b]) {
    assertEquals((await request(url(instance, "/dashboard"), first)).response.status, 200);
  }
  const after = await request(url(pair.a, "/dashboard/sessions"), first);
  assertEquals([...after.body.matchAll(/id="revoke-/g)].length, 0, "the list was read again");
});

Deno.test("S61 built server: revoking someone else's session, or from another site, is refused and changes nothing", async () => {
  await using stack = await startStack();
  const ada = new CookieJar();
  const grace = new CookieJar();
  await signIn(stack, ada, { userId: ADA });
  await signIn(stack, grace, { userId: GRACE });
  const graceSid = String(decodeJwt(await accessToken(stack, grace)).sid);
  const adaSecond = new CookieJar();
  await signIn(stack, adaSecond, { userId: ADA });
  const adaSecondSid = String(decodeJwt(await accessToken(stack, adaSecond)).sid);
  stack.standIn.resetCounts();

  const notHers = await post(stack, ada, "/auth/sessions/revoke", { sessionId: graceSid });
  assertEquals(notHers.response.status, 403);
  const crossSite = await post(
    stack,
    ada,
    "/auth/sessions/revoke",
    { sessionId: adaSecondSid },
    "https://evil.example",
  );
  assertEquals(crossSite.response.status, 403);
  assertEquals(stack.standIn.counts().revoke, 0, "WorkOS was never asked to revoke");
  assert(stack.standIn.activeSessions().includes(graceSid));
  await new Promise((resolve) => setTimeout(resolve, 1_200)); // past a revocation poll
  for (const jar of [grace, adaSecond, ada]) {
    assertEquals((await request(url(stack, "/dashboard"), jar)).response.status, 200);
  }
});

Deno.test("S60 built server: cached page views, the step-up check and cached bearer calls cost no WorkOS and no KV call", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const token = await accessToken(stack, jar);
  // Warm every cache once: the session, the memberships, the bearer token.
  for (const path of ["/dashboard", SECURITY]) await request(url(stack, path), jar);
  await bearer(stack, token);
  const ops = async () => {
    const { body } = await request(url(stack, "/healthz"), new CookieJar());
    const { sharedState, sharedStateOps } = JSON.parse(body);
    assertEquals(sharedState, "kv");
    return sharedStateOps.reads + sharedStateOps.writes;
  };
  const before = await ops();
  stack.standIn.resetCounts();
  for (let i = 0; i < 50; i++) {
    const views = await Promise.all([
      request(url(stack, "/dashboard"), jar),
      request(url(stack, SECURITY), jar),
      bearer(stack, token),
    ]);
    for (const { response } of views) assertEquals(response.status, 200);
  }
  const upstream = Object.values(stack.standIn.counts()).reduce((sum, n) => sum + n, 0);
  assertEquals(upstream, 0, "no WorkOS call");
  assertEquals(await ops() - before, 0, "no KV read or write (the revocation polls aside)");
});
