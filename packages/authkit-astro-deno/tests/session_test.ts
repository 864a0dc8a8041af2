import { assert, assertEquals, assertExists, assertFalse, assertRejects } from "@std/assert";
import type { AuthConfig } from "../src/core/config.ts";
import { deleteCookie, SESSION_COOKIE } from "../src/session/cookies.ts";
import { AuthError } from "../src/core/errors.ts";
import { seal } from "../src/session/seal.ts";
import { createSessionCookie, openSession, type Session } from "../src/session/session.ts";
import { createSignInState, sealSignInState } from "../src/session/state.ts";
import { fakeDateNow } from "./support/clock.ts";
import { testConfig } from "./support/fake_workos.ts";
import { sampleSession } from "./support/sessions.ts";

const OLD_PASSWORD = "old-cookie-password-0123456789-abcdefghij";
const NEW_PASSWORD = "new-cookie-password-0123456789-abcdefghij";
const HTTPS = { WORKOS_REDIRECT_URI: "https://app.example/auth/callback" };
const HTTPS_WITH_DOMAIN = { ...HTTPS, WORKOS_COOKIE_DOMAIN: "app.example" };

async function sealedSession(config: AuthConfig, now = Date.now()) {
  const session = sampleSession(config, now);
  const { sealed, headers } = await createSessionCookie(session, config, now);
  assertEquals(headers.length, 1, "a typical session takes one cookie");
  return { session, sealed, header: headers[0] };
}

/** Splits a `Set-Cookie` value into its name, value and lower-cased attributes. */
function parseSetCookie(header: string) {
  const [pair, ...rest] = header.split(/;\s*/);
  const eq = pair.indexOf("=");
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key, ...value] = part.split("=");
    assertFalse(attributes.has(key.toLowerCase()), `duplicate attribute ${key}`);
    attributes.set(key.toLowerCase(), value.join("=").toLowerCase());
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** Replaces the first character of `part` (never a base64 padding char) in the seal. */
function flipComponent(sealed: string, part: number): string {
  const parts = sealed.split("*");
  parts[part] = (parts[part][0] === "A" ? "B" : "A") + parts[part].slice(1);
  return parts.join("*");
}

Deno.test("createSessionCookie() seals a session that openSession() opens unchanged", async () => {
  const config = testConfig();
  const now = Date.now();
  const { session, sealed, header } = await sealedSession(config, now);
  assert(header.startsWith(`${SESSION_COOKIE}=${sealed};`));
  assertFalse(sealed.includes(session.refreshToken), "tokens are encrypted, not only signed");
  assertEquals(await openSession(sealed, config, now), {
    value: session,
    sealedWithOldPassword: false,
  });
});

Deno.test("S15 openSession() returns null, never throws, for garbage and broken seals", async () => {
  const config = testConfig();
  const { sealed } = await sealedSession(config);
  const middle = Math.floor(sealed.length / 2);
  // iron-session ignores everything from the `~2` version marker on (it is outside the HMAC), so
  // truncate and extend the seal proper.
  const core = sealed.slice(0, sealed.indexOf("~"));
  const hostile = [
    "",
    "garbage",
    "Fe26.2**",
    "Fe26.2*1*a*b*c*d*e*f",
    "Fe26.2*1*a*b*c*d*e*f*g*h",
    "~2",
    "🍪🍪🍪",
    "Fe26.2*\u0000*\ud800",
    "x".repeat(100_000),
    "%7B%22user%22%3A1%7D",
    JSON.stringify({ kind: "session", accessToken: "a" }),
    sealed.slice(0, middle),
    core.slice(0, -1),
    `${core.slice(0, -1)}~2`,
    sealed.slice(1),
    `${sealed.slice(0, middle)}${sealed[middle] === "A" ? "B" : "A"}${sealed.slice(middle + 1)}`,
    `${core}*extra~2`,
    sealed.replaceAll("*", "**"),
    ...Array.from({ length: 8 }, (_, part) => flipComponent(sealed, part)),
  ];
  for (const value of hostile) {
    assertEquals(await openSession(value, config, Date.now()), null, value.slice(0, 60));
  }
  assertExists(await openSession(sealed, config, Date.now()), "control: the intact seal opens");
});

Deno.test("S16 openSession() returns null for a seal made with another password", async () => {
  const { sealed } = await sealedSession(testConfig({ WORKOS_COOKIE_PASSWORD: OLD_PASSWORD }));
  const config = testConfig({ WORKOS_COOKIE_PASSWORD: NEW_PASSWORD });
  assertEquals(await openSession(sealed, config, Date.now()), null);
});

Deno.test("S17 a seal under an older password id opens while that id is configured", async () => {
  const old = testConfig({ WORKOS_COOKIE_PASSWORD: JSON.stringify({ 1: OLD_PASSWORD }) });
  const rotated = testConfig({
    WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: NEW_PASSWORD, 1: OLD_PASSWORD }),
  });
  const retired = testConfig({ WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: NEW_PASSWORD }) });
  const now = Date.now();
  const { session, sealed } = await sealedSession(old, now);

  assertEquals(await openSession(sealed, rotated, now), {
    value: session,
    sealedWithOldPassword: true,
  });
  const resealed = await createSessionCookie(session, rotated, now);
  assert(resealed.sealed.startsWith("Fe26.2*2*"), "new seals use the newest id");
  assertEquals((await openSession(resealed.sealed, rotated, now))?.sealedWithOldPassword, false);
  assertEquals(await openSession(sealed, retired, now), null, "once id 1 is removed");
});

Deno.test("S18 a sign-in state seal is not a session", async () => {
  const config = testConfig();
  const sealed = await sealSignInState(createSignInState("/dashboard"), config);
  assertEquals(await openSession(sealed, config, Date.now()), null);
});

Deno.test("S18 openSession() rejects a session-kind seal that fails the schema check", async () => {
  const config = testConfig();
  const now = Date.now();
  const good = sampleSession(config, now);
  const shapes: Record<string, unknown>[] = [
    {},
    { ...good, accessToken: "" },
    { ...good, accessToken: undefined },
    { ...good, refreshToken: 7 },
    { ...good, expiresAt: String(good.expiresAt) },
    { ...good, user: null },
    { ...good, user: { email: "ada@example.com" } },
    { ...good, user: { id: "user_01ADA" } },
  ];
  for (const shape of shapes) {
    const sealed = await seal("session", shape, config.cookiePasswords, 600);
    assertEquals(await openSession(sealed, config, now), null, JSON.stringify(shape).slice(0, 80));
  }
});

Deno.test("S21 S43 createSessionCookie() splits a large session into cookies of at most 4,000 bytes, and refuses past the chunk bound", async () => {
  const config = testConfig();
  const now = Date.now();
  const large: Session[] = [
    sampleSession(config, now, { accessToken: `h.${"a".repeat(4000)}.s` }),
    {
      ...sampleSession(config, now),
      user: { ...sampleSession(config, now).user, firstName: "Å".repeat(1500) },
    },
  ];
  for (const session of large) {
    const { sealed, headers } = await createSessionCookie(session, config, now);
    assert(headers.length > 1, "chunked");
    for (const header of headers) {
      assert(new TextEncoder().encode(header).length <= 4000, `${header.length} bytes`);
    }
    assertEquals(headers.map((h) => parseSetCookie(h).value).join(""), sealed);
  }
  const tooLarge = sampleSession(config, now, { accessToken: `h.${"a".repeat(30_000)}.s` });
  const error = await assertRejects(() => createSessionCookie(tooLarge, config, now), AuthError);
  assertEquals((error as AuthError).code, "session_too_large");
});

Deno.test("S22 the session cookie is HttpOnly, SameSite=Lax, Path=/, host-only, not Secure on http", async () => {
  const config = testConfig();
  const { header, sealed } = await sealedSession(config);
  const cookie = parseSetCookie(header);
  assertEquals(cookie.name, SESSION_COOKIE);
  assertEquals(cookie.value, sealed);
  assertEquals(cookie.attributes.get("httponly"), "");
  assertEquals(cookie.attributes.get("samesite"), "lax");
  assertEquals(cookie.attributes.get("path"), "/");
  assertEquals(cookie.attributes.get("max-age"), String(config.sessionMaxAgeSeconds));
  assertFalse(cookie.attributes.has("secure"));
  assertFalse(cookie.attributes.has("domain"));
});

Deno.test("S22 the session cookie is Secure on https and carries Domain only when configured", async () => {
  const secure = parseSetCookie((await sealedSession(testConfig(HTTPS))).header);
  assertEquals(secure.attributes.get("secure"), "");
  assertFalse(secure.attributes.has("domain"));
  const scoped = parseSetCookie((await sealedSession(testConfig(HTTPS_WITH_DOMAIN))).header);
  assertEquals(scoped.attributes.get("domain"), "app.example");
});

Deno.test("S22 deleteCookie() repeats the session cookie's attributes with Max-Age=0", async () => {
  const configs = [testConfig(), testConfig(HTTPS), testConfig(HTTPS_WITH_DOMAIN)];
  for (const config of configs) {
    const set = parseSetCookie((await sealedSession(config)).header);
    const deleted = parseSetCookie(deleteCookie(config, SESSION_COOKIE));
    assertEquals(deleted.name, SESSION_COOKIE);
    assertEquals(deleted.value, "");
    assertEquals(deleted.attributes.get("max-age"), "0");
    set.attributes.delete("max-age");
    deleted.attributes.delete("max-age");
    deleted.attributes.delete("expires"); // allowed extra: a date in the past
    assertEquals(deleted.attributes, set.attributes);
  }
});

Deno.test("openSession() returns null once the session's absolute lifetime has passed", async () => {
  const config = testConfig({ WORKOS_SESSION_MAX_AGE: "3600" });
  const now = Date.now();
  const { session, sealed } = await sealedSession(config, now);
  assertEquals(session.expiresAt, Math.floor(now / 1000) + 3600);
  assertExists(await openSession(sealed, config, now + 3599_000));
  assertEquals(await openSession(sealed, config, now + 3600_000), null);
  const error = await assertRejects(
    () => createSessionCookie(session, config, now + 3600_000),
    AuthError,
  );
  assertEquals((error as AuthError).code, "session_invalid", "an ended session is not re-sealed");
});

Deno.test("openSession() returns null once the seal's own TTL has passed", async () => {
  const config = testConfig({ WORKOS_SESSION_MAX_AGE: "60" });
  using clock = fakeDateNow();
  const signedInAt = clock.now;
  const { sealed } = await sealedSession(config, signedInAt);
  clock.advance(30_000);
  assertExists(await openSession(sealed, config, signedInAt), "control: inside the TTL");
  // iron-webcrypto allows 60 s of skew past the seal's expiry. `now` stays at sign-in time, so
  // only the seal's own expiry can close it.
  clock.advance(30_000 + 60_000 + 1_000);
  assertEquals(await openSession(sealed, config, signedInAt), null);
});
