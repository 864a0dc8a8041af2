/**
 * "Your sessions" (SECURITY-CASES S61) at the handler level: the list from the fake WorkOS's
 * `GET /user_management/users/:id/sessions`, and `POST /auth/sessions/revoke` with real seals,
 * real tokens and real revocations in shared state.
 */
import { assert, assertEquals, assertFalse } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { createMemorySharedState } from "../src/shared-state/store.ts";
import {
  type FakeWorkOS,
  installFakeWorkOS,
  json,
  sessionList,
  testConfig,
  USER,
} from "./support/fake_workos.ts";
import { APP, captureLogs, requestWithCookies, signInAndCallback } from "./support/flow.ts";

const CURRENT = "session_01TEST"; // the sid of the fake's tokens
const LAPTOP = "session_01LAPTOP";
const PHONE = "session_01PHONE";

/** Ada signed in, with two other active sessions, an ended one, and one of another user's. */
async function adaWithSessions(fake: FakeWorkOS, auth: Auth) {
  fake.onSessions = (userId) =>
    userId === USER.id
      ? sessionList(userId, [
        { id: LAPTOP, createdAt: "2026-12-01T08:00:00.000Z", ipAddress: "198.51.100.4" },
        { id: CURRENT, createdAt: "2026-11-30T08:00:00.000Z" },
        { id: PHONE, createdAt: "2026-12-02T08:00:00.000Z", authMethod: "sso" },
        { id: "session_01ENDED", status: "revoked" },
      ])
      : sessionList(userId, [{ id: "session_01GRACE" }]);
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const resolution = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assert(resolution.kind === "signed-in");
  return { sessionCookie, ada: resolution.auth };
}

function revoke(auth: Auth, cookie: string, fields: Record<string, string>, origin = APP) {
  return auth.revokeSessions(requestWithCookies("/auth/sessions/revoke", [cookie], {
    method: "POST",
    headers: { origin, "content-type": "application/x-www-form-urlencoded" },
    // As the sessions page's forms do: they say where to come back.
    body: new URLSearchParams({ returnTo: "/dashboard/sessions", ...fields }),
  }));
}

function sessionListCalls(fake: FakeWorkOS): number {
  return fake.apiCalls.filter((call) => call.includes("/sessions")).length;
}

Deno.test("S61 the sessions list shows the user's active sessions: this browser's first and marked, then newest first", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { ada } = await adaWithSessions(fake, auth);
  const sessions = await auth.viewSessions(ada);
  assert(sessions);
  assertEquals(sessions.map((s) => [s.id, s.current]), [
    [CURRENT, true],
    [PHONE, false],
    [LAPTOP, false],
  ]);
  const laptop = sessions.find((s) => s.id === LAPTOP)!;
  assertEquals(
    [laptop.ipAddress, laptop.authMethod, laptop.createdAt],
    ["198.51.100.4", "password", "2026-12-01T08:00:00.000Z"],
  );
  assertEquals(sessions.find((s) => s.id === PHONE)!.authMethod, "sso");
  assertEquals(
    fake.apiCalls.at(-1),
    `/user_management/users/${USER.id}/sessions?limit=100&order=desc`,
  );
  await auth.viewSessions(ada);
  assertEquals(sessionListCalls(fake), 1, "cached briefly");
});

Deno.test("S61 the sessions list is null (logged) when WorkOS cannot list them", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const { ada } = await adaWithSessions(fake, auth);
  fake.onSessions = () => json(500, { message: "down" });
  assertEquals(await auth.viewSessions(ada), null);
  assert(logs.lines.some((line) => line.includes('"upstream_unavailable"')));
});

Deno.test("S61 revoking a session that is not the user's is refused with 403 before WorkOS is asked to revoke", async (t) => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await adaWithSessions(fake, auth);
  for (const sessionId of ["session_01GRACE", "session_01ENDED", "session_01NOSUCH", "x", "../x"]) {
    await t.step(sessionId, async () => {
      const response = await revoke(auth, sessionCookie, { sessionId });
      assertEquals(response.status, 403);
      assertEquals(response.headers.getSetCookie(), []);
    });
  }
  assertEquals(fake.calls.revoke, []);
  for (const sid of ["session_01GRACE", "session_01ENDED", "session_01NOSUCH"]) {
    assertFalse(await auth.revocations.isRevoked(sid));
  }
});

Deno.test("S61 a cross-site revoke is refused with 403: no session read, nothing asked or changed", async (t) => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await adaWithSessions(fake, auth);
  const listed = sessionListCalls(fake);
  for (const origin of ["https://evil.example", "null", "http://localhost:4321.evil.example"]) {
    await t.step(origin, async () => {
      const response = await revoke(auth, sessionCookie, { sessionId: LAPTOP }, origin);
      assertEquals(response.status, 403);
    });
  }
  const noOrigin = await auth.revokeSessions(
    requestWithCookies("/auth/sessions/revoke", [sessionCookie], {
      method: "POST",
      body: new URLSearchParams({ sessionId: LAPTOP }),
    }),
  );
  assertEquals(noOrigin.status, 403);
  assertEquals(fake.calls.revoke, []);
  assertEquals(sessionListCalls(fake), listed);
  assertFalse(await auth.revocations.isRevoked(LAPTOP));
});

Deno.test("S61 revoking another of the user's sessions ends it at WorkOS and for every instance", async () => {
  using fake = await installFakeWorkOS();
  const sharedState = createMemorySharedState();
  const auth = createAuth(testConfig(), { sharedState });
  const other = createAuth(testConfig(), { sharedState }); // a second instance
  const { sessionCookie, ada } = await adaWithSessions(fake, auth);
  await auth.viewSessions(ada); // cached
  const response = await revoke(auth, sessionCookie, { sessionId: LAPTOP });
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/dashboard/sessions");
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(fake.calls.revoke, [{ session_id: LAPTOP }]);
  assert(auth.revocations.has(LAPTOP), "refused here at once");
  assertFalse(other.revocations.has(LAPTOP), "not polled yet");
  await other.revocations.sync(); // its next poll, within a second
  assert(other.revocations.has(LAPTOP));
  assertFalse(auth.revocations.has(CURRENT), "this browser stays signed in");
  const before = sessionListCalls(fake);
  await auth.viewSessions(ada);
  assertEquals(sessionListCalls(fake), before + 1, "the list is read again after a revocation");
});

Deno.test("S61 others=true revokes every session but this browser's", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await adaWithSessions(fake, auth);
  const response = await revoke(auth, sessionCookie, { others: "true" });
  assertEquals(response.status, 303);
  assertEquals(fake.calls.revoke.map((body) => body.session_id).sort(), [LAPTOP, PHONE]);
  assert(auth.revocations.has(LAPTOP) && auth.revocations.has(PHONE));
  assertFalse(auth.revocations.has(CURRENT));
  const resolution = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assertEquals(resolution.kind, "signed-in");
});

Deno.test("S61 this browser's own session, or none named, is refused with 400: signing out does that", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await adaWithSessions(fake, auth);
  const cases: Record<string, string>[] = [{ sessionId: CURRENT }, {}, { others: "yes" }];
  for (const fields of cases) {
    const response = await revoke(auth, sessionCookie, fields);
    assertEquals(response.status, 400, JSON.stringify(fields));
  }
  assertEquals(fake.calls.revoke, []);
  assertFalse(auth.revocations.has(CURRENT));
});

Deno.test("S61 a signed-out revoke is sent to sign in, asking WorkOS nothing", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const response = await auth.revokeSessions(
    new Request(`${APP}/auth/sessions/revoke`, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ sessionId: LAPTOP, returnTo: "/dashboard/sessions" }),
    }),
  );
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard%2Fsessions");
  assertEquals(fake.apiCalls, []);
  assertEquals(fake.calls.revoke, []);
});

Deno.test("S61 WorkOS failing to revoke: a retry page, and the session is still refused here", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await adaWithSessions(fake, auth);
  fake.onRevoke = () => json(503, { message: "down" });
  const response = await revoke(auth, sessionCookie, { sessionId: LAPTOP });
  assertEquals(response.status, 502);
  assert(auth.revocations.has(LAPTOP), "recorded in shared state all the same");
  fake.onRevoke = () => json(404, { message: "Not found" }); // already gone at WorkOS
  assertEquals((await revoke(auth, sessionCookie, { sessionId: PHONE })).status, 303);
});

/**
 * Ada's sessions as a live WorkOS would list them: `live` is what is active now, and a revoke
 * ends a session in the list (and may start another, to model a sign-in racing the request).
 */
function liveSessions(fake: FakeWorkOS, live: Set<string>, onRevoked = (_id: string) => {}) {
  fake.onSessions = (userId) =>
    sessionList(userId, [...live].map((id) => ({ id, createdAt: "2026-12-01T08:00:00.000Z" })));
  let handled = 0; // revokes run concurrently: each answer takes the next recorded call
  fake.onRevoke = () => {
    const id = fake.calls.revoke[handled++].session_id as string;
    live.delete(id);
    onRevoked(id);
    return json(200, { success: true });
  };
}

Deno.test("S63 others=true ends a session begun after the sessions page was shown: WorkOS's list, not the cached one", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie, ada } = await adaWithSessions(fake, auth);
  const live = new Set([CURRENT, LAPTOP, PHONE]);
  liveSessions(fake, live);
  const shown = await auth.viewSessions(ada); // the page, cached for 10 s
  assertEquals(shown?.length, 3);
  live.add("session_01TABLET"); // a sign-in elsewhere, a moment later
  const response = await revoke(auth, sessionCookie, { others: "true" });
  assertEquals(response.status, 303);
  assertEquals(
    fake.calls.revoke.map((body) => body.session_id).sort(),
    [LAPTOP, PHONE, "session_01TABLET"],
  );
  assert(auth.revocations.has("session_01TABLET"), "refused on every instance too");
  assertEquals([...live], [CURRENT], "WorkOS has only this browser's session left");
  const before = sessionListCalls(fake);
  const after = await auth.viewSessions(ada);
  assertEquals(sessionListCalls(fake), before + 1, "the next page reads WorkOS again");
  assertEquals(after?.map((s) => s.id), [CURRENT]);
});

Deno.test("S63 others=true ends a session begun while it ran, and never claims success while one stays", async (t) => {
  await t.step("a sign-in during the revocation is ended in a second round", async () => {
    using fake = await installFakeWorkOS();
    const auth = createAuth(testConfig());
    const { sessionCookie } = await adaWithSessions(fake, auth);
    const live = new Set([CURRENT, LAPTOP]);
    liveSessions(fake, live, (id) => id === LAPTOP && live.add("session_01RACER"));
    const response = await revoke(auth, sessionCookie, { others: "true" });
    assertEquals(response.status, 303);
    assertEquals(fake.calls.revoke.map((body) => body.session_id), [LAPTOP, "session_01RACER"]);
    assertEquals([...live], [CURRENT]);
  });
  await t.step("sessions that keep appearing: an error page, not a success", async () => {
    using fake = await installFakeWorkOS();
    using _logs = captureLogs();
    const auth = createAuth(testConfig());
    const { sessionCookie } = await adaWithSessions(fake, auth);
    const live = new Set([CURRENT, "session_01N0"]);
    let n = 0;
    liveSessions(fake, live, () => live.add(`session_01N${++n}`));
    const response = await revoke(auth, sessionCookie, { others: "true" });
    assertEquals(response.status, 502);
    assertFalse(response.headers.has("location"));
    assertEquals(fake.calls.revoke.length, 3, "bounded: three rounds");
  });
});
