/**
 * `Authorization: Bearer` on API routes (SECURITY-CASES S60), through `guardRequest()` with a
 * recording `next`: real RS256 tokens from the fake WorkOS, the real verifier, real revocations.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { base64url, exportSPKI, importJWK, SignJWT } from "jose";
import { type Auth, createAuth } from "../src/auth.ts";
import { guardRequest } from "../src/middleware/guard.ts";
import type { AuthContext } from "../src/session/resolve.ts";
import {
  createSigningKey,
  defaultClaims,
  installFakeWorkOS,
  json,
  signToken,
  testConfig,
} from "./support/fake_workos.ts";
import {
  createClock,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

const SID = "session_01TEST";

/** Guards `path` with a bearer `token` (and `cookies`), recording what the route saw. */
async function guardBearer(auth: Auth, path: string, token: string, cookies: string[] = []) {
  const seen: (AuthContext | null)[] = [];
  const request = requestWithCookies(path, cookies, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  const response = await guardRequest(request, auth, (session) => {
    seen.push(session as AuthContext | null); // a JWT bearer is a user's token, never a key
    return Promise.resolve(Response.json({ ok: true }));
  });
  return { response, seen };
}

async function assertRefused(response: Response, seen: unknown[], label: string) {
  assertEquals(response.status, 401, label);
  assertEquals(await response.json(), { error: "unauthorized" }, label);
  assertEquals(response.headers.get("www-authenticate"), 'Bearer error="invalid_token"', label);
  assertEquals(response.headers.getSetCookie(), [], label);
  assertEquals(seen.length, 0, label);
}

Deno.test("S60 guardRequest() accepts a valid bearer token on an API route, with no cookie and no Set-Cookie", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const token = await signToken(fake.key, { auth_time: Math.floor(Date.now() / 1000) - 60 });
  const { response, seen } = await guardBearer(auth, "/api/me", token);
  assertEquals(response.status, 200);
  assertEquals(response.headers.getSetCookie(), []);
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertStringIncludes(response.headers.get("vary") ?? "", "Authorization");
  const [session] = seen;
  assert(session);
  assertEquals(session.credential, "bearer");
  assertEquals(session.user.id, "user_01ADA");
  assertEquals(session.sessionId, SID);
  assertEquals(
    [session.organizationId, session.role, session.permissions],
    ["org_01ACME", "admin", ["posts:read", "posts:write"]],
  );
  assertEquals(session.accessToken, token);
  assertFalse(session.profileKnown, "no cookie session of this user seen yet");
  assert(Object.isFrozen(session));
  // The same token again is a cache hit: same context, no WorkOS call of any kind.
  const callsBefore = fake.calls.jwks + fake.calls.authenticate.length + fake.apiCalls.length;
  const again = await guardBearer(auth, "/api/me", token);
  assertEquals(again.seen[0], session);
  assertEquals(
    fake.calls.jwks + fake.calls.authenticate.length + fake.apiCalls.length,
    callsBefore,
  );
});

Deno.test("S60 guardRequest() refuses bad bearer tokens with 401 JSON: expired, forged, wrong issuer, malformed", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const now = Math.floor(Date.now() / 1000);
  const stranger = await createSigningKey(fake.key.kid); // same kid, another key
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const claims = defaultClaims();
  const publicPem = await exportSPKI(await importJWK(fake.key.publicJwk, "RS256") as CryptoKey);
  const hs256 = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: fake.key.kid, typ: "JWT" })
    .sign(new TextEncoder().encode(publicPem));
  const cases: [string, string][] = [
    ["expired", await signToken(fake.key, { iat: now - 400, exp: now - 100 })],
    ["signed by another key", await signToken(stranger)],
    ["wrong issuer", await signToken(fake.key, { iss: "https://evil.example" })],
    ["no sid", await signToken(fake.key, { sid: undefined })],
    ["alg none", `${encode({ alg: "none", kid: fake.key.kid })}.${encode(claims)}.`],
    ["HS256 keyed with the public key", hs256],
    ["a signature character changed", changeSignature(await signToken(fake.key))],
    ["garbage", "not-a-token"],
    ["empty", ""],
    ["two tokens", `${claims.sid} ${claims.sid}`],
    ["oversized", `${"a".repeat(20_000)}.b.c`],
  ];
  for (const [label, token] of cases) {
    const { response, seen } = await guardBearer(auth, "/api/me", token);
    await assertRefused(response, seen, label);
  }
});

Deno.test("S60 a bearer token of a revoked session is refused, whether cached or not", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const token = await signToken(fake.key);
  assertEquals((await guardBearer(auth, "/api/me", token)).response.status, 200); // now cached
  await auth.revocations.revoke(SID); // a sign-out or a revocation, on any instance
  const cached = await guardBearer(auth, "/api/me", token);
  await assertRefused(cached.response, cached.seen, "cached");
  const fresh = await guardBearer(auth, "/api/me", await signToken(fake.key)); // never seen
  await assertRefused(fresh.response, fresh.seen, "not cached");

  // A fresh instance knows only what shared state says: it asks on a miss.
  const other = createAuth(testConfig(), { sharedState: auth.sharedState });
  const elsewhere = await guardBearer(other, "/api/me", await signToken(fake.key));
  await assertRefused(elsewhere.response, elsewhere.seen, "another instance");
});

Deno.test("S60 with a bearer token the cookie is ignored: never refreshed, cleared or re-set", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(280); // the cookie's token is now within the refresh margin
  const token = await signToken(fake.key, {
    iat: Math.floor(clock.ms / 1000),
    exp: Math.floor(clock.ms / 1000) + 300,
  });
  const withCookie = await guardBearer(auth, "/api/me", token, [sessionCookie]);
  assertEquals(withCookie.response.status, 200);
  assertEquals(withCookie.response.headers.getSetCookie(), []);
  assertEquals(refreshCalls(fake).length, 0);
  const badToken = await guardBearer(auth, "/api/me", "x.y.z", [sessionCookie]);
  await assertRefused(
    badToken.response,
    badToken.seen,
    "a bad token does not fall back to the cookie",
  );
});

Deno.test("S60 only API routes read a bearer token: a page ignores the header", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const request = new Request("http://localhost:4321/dashboard", {
    headers: { authorization: `Bearer ${await signToken(fake.key)}`, accept: "text/html" },
  });
  let ran = false;
  const response = await guardRequest(request, auth, () => {
    ran = true;
    return Promise.resolve(new Response("page"));
  });
  assertEquals(response.status, 302, "no cookie: sent to sign-in, as without the header");
  assertFalse(ran);
});

Deno.test("S60 a bearer request carries the user's profile once their cookie session was verified here", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const token = await signToken(fake.key);
  assertFalse((await guardBearer(auth, "/api/me", token)).seen[0]!.profileKnown);
  const { sessionCookie } = await signInAndCallback(auth, fake);
  await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  const [session] = (await guardBearer(auth, "/api/me", token)).seen;
  assert(session?.profileKnown);
  assertEquals(session.user.email, "ada@example.com");
  assertEquals(session.credential, "bearer");
});

Deno.test("S60 a bearer request while WorkOS's keys cannot be fetched gets 503, not 401", async () => {
  using fake = await installFakeWorkOS();
  fake.onJwks = () => json(500, { message: "down" });
  const auth = createAuth(testConfig());
  const { response, seen } = await guardBearer(auth, "/api/me", await signToken(fake.key));
  assertEquals(response.status, 503);
  assertEquals((await response.json()).error, "unavailable");
  assertEquals(response.headers.getSetCookie(), []);
  assertEquals(seen.length, 0);
});

/** Changes one character inside the signature (the last one may only carry padding bits). */
function changeSignature(token: string): string {
  const at = token.lastIndexOf(".") + 10;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}
