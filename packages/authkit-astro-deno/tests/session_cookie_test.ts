/**
 * The session cookie on the wire (`session-cookie.ts`): normalising what a request carries to the
 * seal itself (S42), splitting a large seal into chunks and putting it back together (S43), and
 * the `__Host-` names on https (S47).
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { cookieName, usesHostPrefix } from "../src/session/cookies.ts";
import { AuthError } from "../src/core/errors.ts";
import {
  clearSessionCookies,
  MAX_SEAL_LENGTH,
  MAX_SESSION_CHUNKS,
  MAX_SET_COOKIE_BYTES,
  normalizeSeal,
  readSessionCookie,
  sessionCookieHeaders,
} from "../src/session/session-cookie.ts";
import { testConfig } from "./support/fake_workos.ts";
import { parseSetCookie, requestWithCookies } from "./support/flow.ts";

const SEAL = `Fe26.2*1*${"s".repeat(43)}*${"i".repeat(22)}*${"d".repeat(1200)}*1767225600000*${
  "h".repeat(43)
}*${"m".repeat(43)}`;
const HTTPS = { WORKOS_REDIRECT_URI: "https://app.example/auth/callback" };

Deno.test("S42 normalizeSeal() keeps the seal and drops what iron-session ignores after ~", () => {
  const cases: [string, string, string | null][] = [
    ["as iron-session writes it", `${SEAL}~2`, SEAL],
    ["without the version marker", SEAL, SEAL],
    ["a hostile suffix", `${SEAL}~${"x".repeat(30_000)}`, SEAL],
    ["a second marker", `${SEAL}~2~2`, SEAL],
    ["an empty suffix", `${SEAL}~`, SEAL],
    ["empty", "", null],
    ["only a marker", "~2", null],
    ["another format", "Fe26.1*1*abc", null],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.e30.sig", null],
    ["leading space", ` ${SEAL}`, null],
    ["too long before ~", `Fe26.2*${"a".repeat(MAX_SEAL_LENGTH)}~2`, null],
  ];
  for (const [name, value, expected] of cases) assertEquals(normalizeSeal(value), expected, name);
});

Deno.test("S42 readSessionCookie() refuses a chunk longer than any cookie the app sets", () => {
  const config = testConfig();
  const read = (cookies: string[]) => readSessionCookie(requestWithCookies("/", cookies), config);
  assertEquals(read([]), null);
  assertEquals(read(["other=1"]), null);
  assertEquals(read([`wos-session=${SEAL}~2`]), { seal: SEAL, chunks: 1 });
  const big = "x".repeat(4097);
  assertEquals(read([`wos-session=${SEAL}~${big}`]), { seal: null, chunks: 1 });
  assertEquals(read([`wos-session=${SEAL}`, `wos-session.1=~${big}`]), { seal: null, chunks: 2 });
  assertEquals(read(["wos-session=garbage"]), { seal: null, chunks: 1 });
});

Deno.test("S43 sessionCookieHeaders() splits a large seal into numbered cookies of at most 4,000 bytes that read back whole", () => {
  for (const env of [{}, HTTPS]) {
    const config = testConfig(env);
    const sealed = `Fe26.2*1*${"a".repeat(11_000)}*mac~2`;
    const headers = sessionCookieHeaders(sealed, config, { maxAgeSeconds: 604_800 });
    const base = cookieName(config, "wos-session");
    assertEquals(headers.map((h) => parseSetCookie(h).name), [base, `${base}.1`, `${base}.2`]);
    for (const header of headers) {
      assert(new TextEncoder().encode(header).length <= MAX_SET_COOKIE_BYTES, header.slice(0, 40));
      assertEquals(parseSetCookie(header).attributes["max-age"], "604800");
    }
    const request = requestWithCookies("/", headers);
    assertEquals(readSessionCookie(request, config), { seal: normalizeSeal(sealed), chunks: 3 });
  }
});

Deno.test("S43 sessionCookieHeaders() deletes the stale chunks of a larger session, and a stale chunk left behind is ignored", () => {
  const config = testConfig();
  const headers = sessionCookieHeaders(`${SEAL}~2`, config, {
    maxAgeSeconds: 60,
    previousChunks: 3,
  });
  const parsed = headers.map(parseSetCookie);
  assertEquals(parsed.map((c) => [c.name, c.attributes["max-age"]]), [
    ["wos-session", "60"],
    ["wos-session.1", "0"],
    ["wos-session.2", "0"],
  ]);
  // A browser that missed the deletion sends the old chunk after the new seal: cut off at `~`.
  const stale = requestWithCookies("/", [parsed[0].pair, "wos-session.1=old-chunk-data"]);
  assertEquals(readSessionCookie(stale, config), { seal: SEAL, chunks: 2 });
});

Deno.test("S43 sessionCookieHeaders() refuses a seal past MAX_SESSION_CHUNKS cookies", () => {
  const config = testConfig();
  const sealed = `Fe26.2*1*${"a".repeat(MAX_SESSION_CHUNKS * MAX_SET_COOKIE_BYTES)}~2`;
  const error = assertThrows(
    () => sessionCookieHeaders(sealed, config, { maxAgeSeconds: 60 }),
    AuthError,
  );
  assertEquals((error as AuthError).code, "session_too_large");
});

Deno.test("S43 clearSessionCookies() deletes every chunk the request carried, and at least the first", () => {
  const config = testConfig();
  const names = (chunks?: number) =>
    clearSessionCookies(config, chunks).map(parseSetCookie).map((c) => c.name);
  assertEquals(names(), ["wos-session"]);
  assertEquals(names(0), ["wos-session"]);
  assertEquals(names(3), ["wos-session", "wos-session.1", "wos-session.2"]);
  assertEquals(names(99).length, MAX_SESSION_CHUNKS);
  for (const header of clearSessionCookies(config, 3)) {
    assertEquals(parseSetCookie(header).attributes["max-age"], "0");
  }
});

Deno.test("S47 cookie names carry __Host- on https without a cookie domain, and only then", () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ["http localhost", {}, false],
    ["https", HTTPS, true],
    ["https with WORKOS_COOKIE_DOMAIN", { ...HTTPS, WORKOS_COOKIE_DOMAIN: "example.com" }, false],
  ];
  for (const [name, env, prefixed] of cases) {
    const config = testConfig(env);
    assertEquals(usesHostPrefix(config), prefixed, name);
    assertEquals(cookieName(config, "wos-session"), `${prefixed ? "__Host-" : ""}wos-session`);
    const [header] = sessionCookieHeaders(SEAL, config, { maxAgeSeconds: 60 });
    const cookie = parseSetCookie(header);
    if (prefixed) {
      // What browsers require of a __Host- cookie (RFC 6265bis §4.1.3.2).
      assertEquals(cookie.attributes["secure"], true);
      assertEquals(cookie.attributes["path"], "/");
      assertEquals(cookie.attributes["domain"], undefined);
    }
  }
});

Deno.test("S47 readSessionCookie() on https reads only the __Host- cookie, whatever a sibling subdomain planted", () => {
  const config = testConfig(HTTPS);
  const planted = `Fe26.2*1*planted*by*a*sibling*sub*domain`;
  const request = requestWithCookies("/", [
    `wos-session=${planted}`,
    `__Host-wos-session=${SEAL}~2`,
    `wos-session.1=${planted}`,
  ]);
  assertEquals(readSessionCookie(request, config), { seal: SEAL, chunks: 1 });
  const onlyPlanted = requestWithCookies("/", [`wos-session=${planted}`]);
  assertEquals(readSessionCookie(onlyPlanted, config), null);
});
