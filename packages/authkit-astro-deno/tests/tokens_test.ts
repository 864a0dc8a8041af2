import { assert, assertEquals, assertRejects } from "@std/assert";
import { base64url, errors, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";
import { AuthError } from "../src/core/errors.ts";
import {
  createTokenVerifier,
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_COOLDOWN_MS,
  type Verification,
  type VerifierOptions,
} from "../src/workos/tokens.ts";
import { fakeDateNow } from "./support/clock.ts";
import {
  CLIENT_ID,
  createSigningKey,
  defaultClaims,
  FAKE_API,
  installFakeWorkOS,
  json,
  never,
  signToken,
  testConfig,
  USER,
} from "./support/fake_workos.ts";

const JWKS_URL = new URL(`${FAKE_API}/sso/jwks/${CLIENT_ID}`);
const TIMEOUT_MS = 100;

function verifier(options: VerifierOptions = {}) {
  return createTokenVerifier(testConfig(), JWKS_URL, { timeoutMs: TIMEOUT_MS, ...options });
}

/** WorkOS claims issued at `ms`, with `overrides`. */
function claimsAt(ms: number, overrides: Record<string, unknown> = {}) {
  return { ...defaultClaims(Math.floor(ms / 1000)), ...overrides };
}

function assertInvalid(result: Verification, label = ""): void {
  assertEquals(result.ok, false, label);
  assertEquals(!result.ok && result.reason, "invalid", label);
}

async function assertKeysUnavailable(result: Promise<Verification>): Promise<void> {
  const error = await assertRejects(() => result, AuthError);
  assertEquals((error as AuthError).code, "jwks_unavailable");
}

Deno.test("verifyAccessToken() accepts a valid WorkOS token and returns its claims", async () => {
  using fake = await installFakeWorkOS();
  const verify = verifier();
  const now = Date.now();
  const result = await verify(await signToken(fake.key, claimsAt(now)), now);
  assert(result.ok);
  assertEquals([result.claims.sub, result.claims.sid], [USER.id, "session_01TEST"]);
  const otherForm = claimsAt(now, { iss: `${FAKE_API}/user_management/${CLIENT_ID}` });
  assert((await verify(await signToken(fake.key, otherForm), now)).ok, "the second issuer form");
  assertEquals(fake.calls.jwks, 1, "keys are fetched once and cached");
});

Deno.test("S27 verifyAccessToken() tolerates 30 s of skew on exp, nbf and iat, and no more", async () => {
  using fake = await installFakeWorkOS();
  const verify = verifier();
  const t = Math.floor(Date.now() / 1000);
  const at = (seconds: number) => seconds * 1000;
  const expiring = await signToken(fake.key, { iat: t - 300, exp: t });
  assert((await verify(expiring, at(t + 29))).ok, "exp 29 s ago");
  assertEquals(await verify(expiring, at(t + 31)).then((r) => !r.ok && r.reason), "expired");
  const notBefore = await signToken(fake.key, { iat: t - 10, nbf: t + 60, exp: t + 600 });
  assert((await verify(notBefore, at(t + 31))).ok, "nbf 29 s ahead");
  assertInvalid(await verify(notBefore, at(t + 29)), "nbf 31 s ahead");
  const future = await signToken(fake.key, { iat: t + 60, exp: t + 600 });
  assert((await verify(future, at(t + 31))).ok, "iat 29 s ahead");
  assertInvalid(await verify(future, at(t + 29)), "iat 31 s ahead");
});

Deno.test("S27 an expired token reports expired; an expired forgery reports invalid", async () => {
  using fake = await installFakeWorkOS();
  const verify = verifier();
  const now = Date.now();
  const t = Math.floor(now / 1000);
  const expired = await verify(await signToken(fake.key, { iat: t - 600, exp: t - 60 }), now);
  assertEquals(expired.ok, false);
  assert(!expired.ok && expired.reason === "expired" && expired.cause instanceof errors.JWTExpired);
  const impostor = await createSigningKey(fake.key.kid); // same kid, another key
  assertInvalid(await verify(await signToken(impostor, { iat: t - 600, exp: t - 60 }), now));
});

Deno.test("S28 an unknown kid re-fetches the JWKS at most once per cooldown window", async () => {
  using fake = await installFakeWorkOS();
  using clock = fakeDateNow();
  const verify = verifier();
  const stranger = await createSigningKey("key_unknown");
  const unknownToken = () => signToken(stranger, claimsAt(clock.now));
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  assertEquals(fake.calls.jwks, 1);

  // jose counts the cooldown from the last fetch: right after the warm-up, no re-fetch at all,
  // and the key may simply not be fetched yet (S29): transient, so the session is kept.
  await assertKeysUnavailable(verify(await unknownToken()));
  assertEquals(fake.calls.jwks, 1);

  clock.advance(JWKS_COOLDOWN_MS + 1_000);
  const flood = await Promise.all(Array.from({ length: 50 }, unknownToken));
  for (const result of await Promise.all(flood.map((token) => verify(token)))) {
    assertInvalid(result);
  }
  assertEquals(fake.calls.jwks, 2, "50 concurrent unknown kids: one re-fetch");
  for (const token of flood) await assertKeysUnavailable(verify(token));
  assertEquals(fake.calls.jwks, 2, "50 more inside the cooldown: none");

  clock.advance(JWKS_COOLDOWN_MS + 1_000);
  assertInvalid(await verify(await unknownToken()));
  assertEquals(fake.calls.jwks, 3, "the next window allows one more");
});

Deno.test("S29 a newly published key is accepted after one re-fetch", async () => {
  using fake = await installFakeWorkOS();
  using clock = fakeDateNow();
  const verify = verifier();
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  const rotated = await createSigningKey("key_2");
  fake.jwksKeys.push(rotated);

  // jose's documented cooldown: within 30 s of the last fetch an unknown kid is not re-fetched,
  // so a key published in that window is "keys unavailable" (503, session kept) until it ends.
  await assertKeysUnavailable(verify(await signToken(rotated, claimsAt(clock.now))));
  assertEquals(fake.calls.jwks, 1);

  clock.advance(JWKS_COOLDOWN_MS + 1_000);
  assert((await verify(await signToken(rotated, claimsAt(clock.now)))).ok, "after the cooldown");
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok, "old key still good");
  assertEquals(fake.calls.jwks, 2);

  const fresh = verifier();
  assert((await fresh(await signToken(rotated, claimsAt(clock.now)))).ok, "a fresh verifier");
  assertEquals(fake.calls.jwks, 3);
});

Deno.test("S30 alg none, HS256 with the public key and non-RS256 algorithms are rejected before any key fetch", async () => {
  using fake = await installFakeWorkOS();
  const verify = verifier();
  const claims = claimsAt(Date.now());
  const kid = fake.key.kid;
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const signWith = async (alg: string, key: CryptoKey | Uint8Array) =>
    await new SignJWT(claims).setProtectedHeader({ alg, kid, typ: "JWT" }).sign(key);
  const publicPem = await exportSPKI(await importJWK(fake.key.publicJwk, "RS256") as CryptoKey);
  const bytes = (text: string) => new TextEncoder().encode(text);

  const tokens: [string, string][] = [
    ["alg none", `${encode({ alg: "none", typ: "JWT", kid })}.${encode(claims)}.`],
    ["alg NONE", `${encode({ alg: "NONE", typ: "JWT", kid })}.${encode(claims)}.`],
    ["HS256 keyed with the PEM", await signWith("HS256", bytes(publicPem))],
    [
      "HS256 keyed with the JWK",
      await signWith("HS256", bytes(JSON.stringify(fake.key.publicJwk))),
    ],
    ["RS512", await signWith("RS512", (await generateKeyPair("RS512")).privateKey)],
    ["PS256", await signWith("PS256", (await generateKeyPair("PS256")).privateKey)],
    ["ES256", await signWith("ES256", (await generateKeyPair("ES256")).privateKey)],
  ];
  for (const [label, token] of tokens) {
    const result = await verify(token);
    assertInvalid(result, label);
    assert(!result.ok && result.cause instanceof errors.JOSEAlgNotAllowed, label);
  }
  assertEquals(fake.calls.jwks, 0);
});

Deno.test("S31 a wrong issuer or a missing exp, sub or sid is rejected", async () => {
  using fake = await installFakeWorkOS();
  const verify = verifier();
  const now = Date.now();
  const cases: [string, Record<string, unknown>][] = [
    ["foreign issuer", { iss: "https://evil.example" }],
    ["real WorkOS issuer, test API configured", { iss: "https://api.workos.com" }],
    ["issuer with a trailing slash", { iss: `${FAKE_API}/` }],
    ["issuer of another client", { iss: `${FAKE_API}/user_management/client_other` }],
    ["missing issuer", { iss: undefined }],
    ["missing exp", { exp: undefined }],
    ["missing sub", { sub: undefined }],
    ["missing sid", { sid: undefined }],
    ["empty sid", { sid: "" }],
    ["numeric sid", { sid: 42 }],
  ];
  for (const [label, overrides] of cases) {
    assertInvalid(await verify(await signToken(fake.key, claimsAt(now, overrides)), now), label);
  }
});

const respond = (body: string | null, init: ResponseInit) => () => new Response(body, init);
const REDIRECT = { location: "https://evil.example/jwks" };
const OUTAGES: [string, () => Response | Promise<Response>][] = [
  ["500", () => json(500, { message: "Internal Server Error" })],
  ["503 HTML", respond("<html>Bad gateway</html>", { status: 503 })],
  ["200 HTML", respond("<html>Hi</html>", { headers: { "content-type": "text/html" } })],
  ["200 invalid JSON", respond('{"keys":[', { headers: { "content-type": "application/json" } })],
  ["200 not a key set", () => json(200, { keys: "none" })],
  ["302 redirect", respond(null, { status: 302, headers: REDIRECT })],
  ["network failure", () => Promise.reject(new TypeError("connection refused"))],
  ["hang", never],
];

Deno.test("S32 with a cold cache, every JWKS failure throws jwks_unavailable within bounded time", async () => {
  using fake = await installFakeWorkOS();
  const token = await signToken(fake.key, claimsAt(Date.now()));
  for (const [label, outage] of OUTAGES) {
    fake.onJwks = outage;
    const started = performance.now();
    const error = await assertRejects(() => verifier()(token), AuthError);
    assertEquals((error as AuthError).code, "jwks_unavailable", label);
    assert(performance.now() - started < TIMEOUT_MS + 1_000, `${label}: took too long`);
  }
  assertEquals(fake.calls.other, [], "the redirect was not followed");
});

Deno.test("S32 with a warm but stale cache, verification survives every JWKS failure", async () => {
  using fake = await installFakeWorkOS();
  using clock = fakeDateNow();
  const healthy = fake.onJwks;
  const verify = verifier();
  const stranger = await createSigningKey("key_unknown");
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  for (const [label, outage] of OUTAGES) {
    clock.advance(JWKS_CACHE_MAX_AGE_MS + 1_000);
    fake.onJwks = outage;
    const fetchesBefore = fake.calls.jwks;
    assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok, label);
    assert(fake.calls.jwks > fetchesBefore, `${label}: the stale keys were re-fetched first`);
    assertInvalid(await verify(await signToken(stranger, claimsAt(clock.now))), label);
  }
  fake.onJwks = healthy;
  clock.advance(JWKS_COOLDOWN_MS + 1_000); // the back-off after the last failure ends
  const fetchesBefore = fake.calls.jwks;
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  assertEquals(fake.calls.jwks, fetchesBefore + 1, "recovered: one fetch, then cached again");
});

Deno.test("S32 during an outage the held keys serve a whole cooldown window with one failed fetch", async () => {
  using fake = await installFakeWorkOS();
  using clock = fakeDateNow();
  const verify = verifier();
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  clock.advance(JWKS_CACHE_MAX_AGE_MS + 1_000);
  fake.onJwks = () => json(503, { message: "down" });
  const fetchesBefore = fake.calls.jwks;
  for (let i = 0; i < 20; i++) {
    assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok, `request ${i}`);
  }
  assertEquals(fake.calls.jwks, fetchesBefore + 1, "one failed fetch, not one per request");
  clock.advance(JWKS_COOLDOWN_MS + 1_000);
  assert((await verify(await signToken(fake.key, claimsAt(clock.now)))).ok);
  assertEquals(fake.calls.jwks, fetchesBefore + 2, "the next window tries once more");
});
