/**
 * `POST /sign-out` (SECURITY-CASES S33, S34), called as a plain handler with the fake WorkOS
 * behind `fetch`.
 */
import { assertEquals, assertExists } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { FAKE_API, installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import {
  APP,
  captureLogs,
  createClock,
  getSetCookie,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

const LOGOUT_URL = `${FAKE_API}/user_management/sessions/logout?session_id=session_01TEST` +
  `&return_to=http%3A%2F%2Flocalhost%3A4321%2F`;

function signOutRequest(cookies: string[], origin?: string): Request {
  const headers: Record<string, string> = origin === undefined ? {} : { origin };
  return requestWithCookies("/sign-out", cookies, { method: "POST", headers });
}

Deno.test("S33 signOut() refuses a POST without a same-site Origin and leaves the cookie alone", async (t) => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const origins: Record<string, string | undefined> = {
    "no Origin": undefined,
    "a foreign Origin": "https://evil.example",
    "Origin null": "null",
    "the app's host on another scheme": "https://localhost:4321",
  };
  for (const [name, origin] of Object.entries(origins)) {
    await t.step(name, async () => {
      const response = await auth.signOut(signOutRequest([sessionCookie], origin));
      assertEquals(response.status, 403);
      assertEquals(response.headers.getSetCookie(), []);
      assertEquals(response.headers.get("location"), null);
    });
  }
  assertEquals(logs.lines.map((line) => JSON.parse(line).code), Array(4).fill("origin_rejected"));
});

Deno.test("S34 signOut() deletes the cookie and redirects to the WorkOS logout URL with sid and return_to", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie, callback } = await signInAndCallback(auth, fake);
  const response = await auth.signOut(signOutRequest([sessionCookie], APP));
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("location"), LOGOUT_URL);
  assertEquals(response.headers.get("cache-control"), "no-store");
  const cleared = getSetCookie(response, "wos-session");
  assertExists(cleared);
  assertEquals(cleared.value, "");
  assertEquals(cleared.attributes["max-age"], "0");
  assertEquals(cleared.attributes["path"], "/");
  assertEquals(cleared.attributes["httponly"], true);
  assertEquals(String(cleared.attributes["samesite"]).toLowerCase(), "lax");
  // Deleted with exactly the attributes it was set with (RFC 6265bis §5.6), Max-Age aside.
  const set = getSetCookie(callback, "wos-session")!.attributes;
  assertEquals({ ...cleared.attributes, "max-age": set["max-age"] }, set);
});

Deno.test("S34 signOut() still finds the sid when the access token has expired", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(3600);
  const response = await auth.signOut(signOutRequest([sessionCookie], APP));
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("location"), LOGOUT_URL);
  assertEquals(getSetCookie(response, "wos-session")?.attributes["max-age"], "0");
  // Signing out never refreshes.
  assertEquals(fake.calls.authenticate.length, 1);
});

Deno.test("S34 signOut() without a session goes straight to / and clears the cookie", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  for (const [name, cookies] of Object.entries({ none: [], garbage: ["wos-session=garbage"] })) {
    await t.step(name, async () => {
      const response = await auth.signOut(signOutRequest(cookies, APP));
      assertEquals(response.status, 302);
      assertEquals(response.headers.get("location"), "/");
      const cleared = getSetCookie(response, "wos-session");
      assertEquals(cleared?.value, "");
      assertEquals(cleared?.attributes["max-age"], "0");
      assertEquals(cleared?.attributes["path"], "/");
    });
  }
  assertEquals(fake.calls, { authenticate: [], jwks: 0, revoke: [], other: [] });
});
