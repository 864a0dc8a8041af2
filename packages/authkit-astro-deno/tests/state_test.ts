import { assert, assertEquals, assertFalse, assertMatch, assertNotEquals } from "@std/assert";
import { base64url } from "jose";
import { seal } from "../src/session/seal.ts";
import { createSessionCookie, openSession } from "../src/session/session.ts";
import {
  createCodeChallenge,
  createSignInState,
  openSignInState,
  randomToken,
  sealSignInState,
  STATE_TTL_SECONDS,
  statesMatch,
} from "../src/session/state.ts";
import { fakeDateNow } from "./support/clock.ts";
import { testConfig } from "./support/fake_workos.ts";
import { sampleSession } from "./support/sessions.ts";

const BASE64URL = /^[A-Za-z0-9_-]+$/;

Deno.test("S01 randomToken() carries at least 128 bits of base64url randomness", () => {
  const token = randomToken();
  assertMatch(token, BASE64URL);
  assert(base64url.decode(token).length * 8 >= 128, `only ${token.length} characters`);
  assertEquals(token.length, 43); // 32 bytes, unpadded
});

Deno.test("S01 randomToken() never repeats over 10,000 draws and uses the whole alphabet", () => {
  const draws = Array.from({ length: 10_000 }, randomToken);
  assertEquals(new Set(draws).size, draws.length);
  for (const token of draws) assertMatch(token, BASE64URL);
  // A broken generator (zeros, a counter, hex) would leave most of the alphabet unused.
  assertEquals(new Set(draws.join("")).size, 64);
});

Deno.test("createSignInState() draws independent state and verifier values", () => {
  const flow = createSignInState("/dashboard");
  assertNotEquals(flow.state, flow.codeVerifier);
  // RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
  assertMatch(flow.codeVerifier, /^[A-Za-z0-9._~-]{43,128}$/);
  assertEquals(flow.returnTo, "/dashboard");
  assertNotEquals(createSignInState("/").state, flow.state);
});

Deno.test("createCodeChallenge() matches the RFC 7636 appendix B vector", async () => {
  assertEquals(
    await createCodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  );
});

Deno.test("S03 statesMatch() accepts only two equal, non-empty values", () => {
  const state = randomToken();
  const cases: [string, string | null, boolean][] = [
    [state, state, true],
    ["abc", "abc", true],
    [state, `${state.slice(0, -1)}${state.endsWith("A") ? "B" : "A"}`, false],
    [state, state.slice(0, -1), false],
    [state, `${state}x`, false],
    [state, state.toLowerCase() === state ? state.toUpperCase() : state.toLowerCase(), false],
    [state, null, false],
    [state, "", false],
    ["", "", false],
    ["", null, false],
    ["", state, false],
    ["é", "e\u0301", false],
  ];
  for (const [expected, received, result] of cases) {
    assertEquals(statesMatch(expected, received), result, `${expected} vs ${received}`);
  }
});

Deno.test("sealSignInState() round-trips through openSignInState()", async () => {
  const config = testConfig();
  const flow = createSignInState("/dashboard/settings?tab=1");
  const sealed = await sealSignInState(flow, config);
  assertFalse(sealed.includes(flow.state), "the state is encrypted, not only signed");
  assertFalse(sealed.includes(flow.codeVerifier), "the verifier is encrypted");
  assertEquals(await openSignInState(sealed, config), flow);
});

Deno.test("openSignInState() returns null for tampered, foreign or garbage seals", async () => {
  const config = testConfig();
  const sealed = await sealSignInState(createSignInState("/"), config);
  const middle = Math.floor(sealed.length / 2);
  const flipped = `${sealed.slice(0, middle)}${sealed[middle] === "A" ? "B" : "A"}${
    sealed.slice(middle + 1)
  }`;
  const other = testConfig({ WORKOS_COOKIE_PASSWORD: "another-password-0123456789-abcdefghij" });
  for (const value of [flipped, sealed.slice(0, middle), "", "Fe26.2**", "🍪", "x".repeat(8000)]) {
    assertEquals(await openSignInState(value, config), null, value.slice(0, 40));
  }
  assertEquals(await openSignInState(sealed, other), null, "sealed under another password");
});

Deno.test("openSignInState() returns null once the state seal's own TTL has passed", async () => {
  const config = testConfig();
  using clock = fakeDateNow();
  const sealed = await sealSignInState(createSignInState("/"), config);
  clock.advance((STATE_TTL_SECONDS - 1) * 1000);
  assert(await openSignInState(sealed, config), "still open just before the TTL");
  // iron-webcrypto allows 60 s of clock skew past the expiry.
  clock.advance(2_000 + 60_000);
  assertEquals(await openSignInState(sealed, config), null);
});

Deno.test("openSignInState() rejects a state-kind seal of the wrong shape", async () => {
  const config = testConfig();
  const good = createSignInState("/");
  const shapes: object[] = [
    {},
    { ...good, state: undefined },
    { ...good, state: "short" },
    { ...good, codeVerifier: "too-short-for-pkce" },
    { ...good, returnTo: 42 },
  ];
  for (const shape of shapes) {
    const sealed = await seal("sign-in-state", shape, config.cookiePasswords, 60);
    assertEquals(await openSignInState(sealed, config), null, JSON.stringify(shape));
  }
});

Deno.test("S18 a session seal presented as the sign-in state is rejected", async () => {
  const config = testConfig();
  const now = Date.now();
  const { sealed } = await createSessionCookie(sampleSession(config, now), config, now);
  assert(await openSession(sealed, config, now), "control: it is a valid session");
  assertEquals(await openSignInState(sealed, config), null);
});

Deno.test("S18 a sign-in state seal presented as the session is rejected", async () => {
  const config = testConfig();
  const sealed = await sealSignInState(createSignInState("/"), config);
  assert(await openSignInState(sealed, config), "control: it is a valid state");
  assertEquals(await openSession(sealed, config, Date.now()), null);
});
