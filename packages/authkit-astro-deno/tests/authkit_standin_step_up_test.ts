/**
 * The AuthKit stand-in's side of step-up and "your sessions" (S59, S61): `auth_time` in its
 * tokens (kept across refreshes), `max_age` on the authorize URL, the seeded user whose last
 * sign-in was an hour ago, and `GET /user_management/users/:id/sessions`. Driven through the
 * real v6 client and plain `fetch`, as the app calls it.
 */
import { decodeJwt } from "jose";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  ADA,
  API_KEY,
  authorizeUrl,
  CLIENT_ID,
  type Fixture,
  GRACE,
  signIn,
  submitSignInPage,
  withStandIn,
} from "./support/standin.ts";

const KATHERINE = "user_01KATHERINE000000000000000";
const START_MS = Date.UTC(2026, 11, 3, 9, 0, 0);

/** A stand-in clock that tests move forward. */
function clock() {
  const state = { ms: START_MS, now: () => state.ms };
  return state;
}

async function exchange({ workos }: Fixture, code: string) {
  return await workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
}

function authTimeOf(accessToken: string): unknown {
  return decodeJwt(accessToken).auth_time;
}

Deno.test("S59 stand-in: tokens carry auth_time, and a refresh keeps it", async () => {
  const time = clock();
  await withStandIn(async (fixture) => {
    const first = await exchange(fixture, await signIn(fixture, { user_id: ADA }));
    assertEquals(authTimeOf(first.accessToken), START_MS / 1000);
    time.ms += 600_000;
    const refreshed = await fixture.workos.userManagement.authenticateWithRefreshToken({
      clientId: CLIENT_ID,
      refreshToken: first.refreshToken,
    });
    assertEquals(decodeJwt(refreshed.accessToken).iat, START_MS / 1000 + 600);
    assertEquals(authTimeOf(refreshed.accessToken), START_MS / 1000, "a refresh is no sign-in");
  }, { now: time.now });
});

Deno.test("S59 stand-in: the seeded user last signed in an hour ago, until max_age asks for more", async () => {
  const time = clock();
  await withStandIn(async (fixture) => {
    const hourAgo = START_MS / 1000 - 3600;
    const stale = await exchange(fixture, await signIn(fixture, { user_id: KATHERINE }));
    assertEquals(authTimeOf(stale.accessToken), hourAgo, "AuthKit's remembered sign-in");
    const lenient = await signIn(fixture, { user_id: KATHERINE }, { max_age: "7200" });
    assertEquals(authTimeOf((await exchange(fixture, lenient)).accessToken), hourAgo);

    // The page says why the user is asked again, and which users it applies to.
    const url = authorizeUrl(fixture.workos, { max_age: "300" });
    const page = await (await fetch(url)).text();
    assertStringIncludes(page, 'id="reauthenticate"');
    assertStringIncludes(page, "max_age=300");
    assertStringIncludes(page, "signed in 60 min ago · sign in again");
    time.ms += 5_000;
    const fresh = await exchange(
      fixture,
      await signIn(fixture, { user_id: KATHERINE }, { max_age: "300" }),
    );
    assertEquals(authTimeOf(fresh.accessToken), START_MS / 1000 + 5, "a new authentication");
    // AuthKit now remembers that one.
    const later = await exchange(fixture, await signIn(fixture, { user_id: KATHERINE }));
    assertEquals(authTimeOf(later.accessToken), START_MS / 1000 + 5);
  }, { now: time.now });
});

Deno.test("S59 stand-in: a malformed max_age is refused with a 400 page", async () => {
  await withStandIn(async (fixture) => {
    for (const value of ["-1", "5m", "", "1e3"]) {
      const response = await fetch(authorizeUrl(fixture.workos, { max_age: value }));
      assertEquals(response.status, 400, value);
      assertStringIncludes(await response.text(), "max_age");
    }
  });
});

Deno.test("S61 stand-in: lists a user's sessions with sign-in time, method, IP and user agent", async () => {
  const time = clock();
  await withStandIn(async (fixture) => {
    const { standIn, workos } = fixture;
    const signedIn = await submitSignInPage(standIn, authorizeUrl(workos), { user_id: ADA });
    const code = new URL(signedIn.headers.get("location")!).searchParams.get("code")!;
    const browser = await exchange(fixture, code);
    time.ms += 60_000;
    const other = await standIn.issueSession(ADA);
    await standIn.issueSession(GRACE);
    time.ms += 60_000;
    const ended = await standIn.issueSession(ADA);
    standIn.revokeSession(String(decodeJwt(String(ended.access_token)).sid));

    const list = async (query = "", key = API_KEY) =>
      await fetch(new URL(`/user_management/users/${ADA}/sessions${query}`, standIn.url), {
        headers: { authorization: `Bearer ${key}` },
      });
    const response = await list("?limit=100");
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "application/json");
    const body = await response.json();
    assertEquals(body.object, "list");
    assertEquals(body.data.map((s: { status: string }) => s.status), [
      "revoked",
      "active",
      "active",
    ]);
    const [, second, first] = body.data;
    assertEquals(first.id, decodeJwt(browser.accessToken).sid);
    assertEquals(second.id, decodeJwt(String(other.access_token)).sid);
    assertEquals(first.object, "session");
    assertEquals(first.user_id, ADA);
    assertEquals(first.ip_address, "127.0.0.1");
    assert(typeof first.user_agent === "string" && first.user_agent !== "", "the browser's agent");
    assertEquals(first.auth_method, "password");
    assertEquals(first.organization_id, "org_01EXAMPLE00000000000000000");
    assertEquals(first.created_at, new Date(START_MS).toISOString());
    assertEquals(body.data[0].ended_at, new Date(START_MS + 120_000).toISOString());
    assertEquals(body.list_metadata, { before: null, after: null });

    assertEquals((await (await list("?limit=1")).json()).data.length, 1);
    const status = async (response: Response) => (await response.body?.cancel(), response.status);
    assertEquals(await status(await list("?limit=0")), 422);
    assertEquals(await status(await list("?order=sideways")), 422);
    assertEquals(await status(await list("", "sk_wrong")), 401);
    for (const id of ["user_01NOSUCH", "%E0%A4%A"]) {
      const unknown = await fetch(new URL(`/user_management/users/${id}/sessions`, standIn.url), {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      assertEquals(await status(unknown), 404, id);
    }
  }, { now: time.now });
});
