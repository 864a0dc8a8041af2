/**
 * The app's sign-in hooks and custom state (SECURITY-CASES S70), through the real auth layer with
 * the fake WorkOS behind `fetch`: `onSignIn` in the callback before any cookie, `onSignOut` after
 * sign-out, and the sign-in link's `state` sealed in the flow's cookie.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import type { AuthHooks, SignInEvent, SignOutEvent } from "../src/hooks/sign-in-hooks.ts";
import { createSignInPath } from "../src/helpers/require-auth.ts";
import { DEFAULT_ROUTES } from "../src/core/routes.ts";
import { type FakeWorkOS, installFakeWorkOS, testConfig, USER } from "./support/fake_workos.ts";
import {
  APP,
  callbackRequest,
  captureLogs,
  getSetCookie,
  getStateCookie,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

/** `/sign-in?state=…` then the callback; returns the callback's response. */
async function signInWithState(auth: Auth, state?: string) {
  const url = new URL("/sign-in", APP);
  if (state !== undefined) url.searchParams.set("state", state);
  const start = await auth.signIn(new Request(url));
  const authorize = new URL(start.headers.get("location")!);
  const stateCookie = getStateCookie(start)!.pair;
  const callback = await auth.callback(
    callbackRequest({ code: "code_ok", state: authorize.searchParams.get("state")! }, [
      stateCookie,
    ]),
  );
  return { start, authorize, callback };
}

function withHooks(hooks: AuthHooks, hookTimeoutMs?: number): Auth {
  return createAuth(testConfig(), { hooks, hookTimeoutMs });
}

function assertNoSession(response: Response, fake: FakeWorkOS, label: string) {
  assertEquals(getSetCookie(response, "wos-session"), undefined, `${label}: no session cookie`);
  const cleared = response.headers.getSetCookie().find((c) => c.startsWith("wos-auth-state."));
  assert(cleared && /Max-Age=0/i.test(cleared), `${label}: the flow's cookie cleared`);
  assertEquals(response.headers.get("cache-control"), "no-store", label);
  assertEquals(fake.calls.revoke.at(-1), { session_id: "session_01TEST" }, `${label}: ended`);
}

Deno.test("S70 onSignIn sees the verified sign-in and the link's custom state; returning nothing lets it through", async () => {
  using fake = await installFakeWorkOS();
  const seen: SignInEvent[] = [];
  const auth = withHooks({ onSignIn: (event) => void seen.push(event) });
  const state = 'invite=inv_42&ref=<script>"';
  const { authorize, callback } = await signInWithState(auth, state);
  assertFalse(authorize.searchParams.get("state") === state, "never the OAuth state");
  assertFalse(authorize.href.includes("inv_42"), "never sent to AuthKit: it stays in the cookie");
  assertEquals(callback.status, 302);
  assert(getSetCookie(callback, "wos-session"), "signed in");
  assertEquals(seen.length, 1);
  const [event] = seen;
  assertEquals(event.state, state);
  assertEquals(event.user.id, USER.id);
  assertEquals(event.user.email, USER.email);
  assertEquals([event.organizationId, event.role], ["org_01ACME", "admin"]);
  assertEquals(event.permissions, ["posts:read", "posts:write"]);
  assertEquals(event.impersonator, null);
  assert(event.request instanceof Request);
  assertEquals(fake.calls.revoke, []);
  // Without a state on the link, the hook gets null.
  await signInWithState(auth);
  assertEquals(seen[1].state, null);
});

Deno.test("S70 onSignIn returning a Response ends the sign-in with it: no session, the flow's cookie cleared, the WorkOS session ended", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = withHooks({
    onSignIn: ({ user }) =>
      new Response(`${user.email} is not invited`, {
        status: 403,
        headers: { "content-type": "text/plain" },
      }),
  });
  const { callback } = await signInWithState(auth, "from-pricing");
  assertEquals(callback.status, 403);
  assertEquals(await callback.text(), `${USER.email} is not invited`);
  assertEquals(callback.headers.get("referrer-policy"), "no-referrer");
  assertNoSession(callback, fake, "a Response");
  assert(logs.lines.some((line) => line.includes('"sign_in_refused"')));
});

Deno.test("S70 onSignIn that throws or hangs: the generic refusal, no session, bounded in time, the error's text never logged", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const throwing = withHooks({
    onSignIn: () => {
      throw new Error("database password=hunter2 unreachable");
    },
  });
  const thrown = (await signInWithState(throwing)).callback;
  assertEquals(thrown.status, 403);
  assertStringIncludes(await thrown.text(), "sign_in_refused");
  assertNoSession(thrown, fake, "a throw");
  const rejecting = withHooks({ onSignIn: () => Promise.reject(new TypeError("nope")) });
  assertEquals((await signInWithState(rejecting)).callback.status, 403);

  const hanging = withHooks({ onSignIn: () => new Promise(() => {}) }, 100);
  const started = performance.now();
  const hung = (await signInWithState(hanging)).callback;
  assert(performance.now() - started < 2_000, "bounded by the hook's timeout");
  assertEquals(hung.status, 403);
  await hung.body?.cancel();
  assertNoSession(hung, fake, "a hang");
  const logged = logs.lines.join("\n");
  assertFalse(logged.includes("hunter2"), "the hook's message is not logged");
  assert(logged.includes('"cause":"HookTimeout"') && logged.includes('"cause":"Error"'));
});

Deno.test("S70 custom state is bounded: over 1 KB is refused at the sign-in route; 1 KB goes through", async () => {
  using fake = await installFakeWorkOS();
  const seen: (string | null)[] = [];
  const auth = withHooks({ onSignIn: ({ state }) => void seen.push(state) });
  const oversized = await auth.signIn(new Request(`${APP}/sign-in?state=${"é".repeat(513)}`));
  assertEquals(oversized.status, 400);
  assertEquals(getStateCookie(oversized), undefined, "no flow started");
  const { callback } = await signInWithState(auth, "x".repeat(1024));
  assertEquals(callback.status, 302);
  assertEquals(seen, ["x".repeat(1024)]);
  assertEquals(fake.calls.authenticate.length, 1);
});

Deno.test("S70 a callback whose state cookie was forged or swapped never reaches onSignIn", async () => {
  using fake = await installFakeWorkOS();
  let calls = 0;
  const auth = withHooks({ onSignIn: () => void calls++ });
  const url = new URL("/sign-in?state=mine", APP);
  const start = await auth.signIn(new Request(url));
  const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
  const cookie = getStateCookie(start)!;
  const forged = `${cookie.name}=${cookie.value.slice(0, -4)}AAAA`;
  const response = await auth.callback(callbackRequest({ code: "code_ok", state }, [forged]));
  assertEquals(response.status, 400);
  assertEquals([calls, fake.calls.authenticate.length], [0, 0]);
});

Deno.test("S70 onSignOut runs after the session ended everywhere; sign-out never waits for it, and its failures are logged", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const events: (SignOutEvent & { revokedBefore: number })[] = [];
  const signOut = async (auth: Auth) => {
    const { sessionCookie } = await signInAndCallback(auth, fake);
    return await auth.signOut(requestWithCookies("/sign-out", [sessionCookie], {
      method: "POST",
      headers: { origin: APP },
    }));
  };
  const recording = withHooks({
    onSignOut: (event) => void events.push({ ...event, revokedBefore: fake.calls.revoke.length }),
  });
  assertEquals((await signOut(recording)).status, 302);
  await recording.hooksSettled();
  assertEquals(events.length, 1);
  assertEquals([events[0].user.id, events[0].sessionId], [USER.id, "session_01TEST"]);
  assertEquals(events[0].revokedBefore, 1, "after the session ended at WorkOS");

  const failing = withHooks({ onSignOut: () => Promise.reject(new Error("audit log down")) });
  assertEquals((await signOut(failing)).status, 302);
  await failing.hooksSettled();
  const hanging = withHooks({ onSignOut: () => new Promise(() => {}) }, 100);
  const started = performance.now();
  assertEquals((await signOut(hanging)).status, 302);
  assert(performance.now() - started < 1_000, "sign-out did not wait");
  await hanging.hooksSettled();
  const failures = logs.lines.filter((line) => line.includes('"sign_out_hook_failed"'));
  assertEquals(failures.length, 2);
  assertFalse(failures.join().includes("audit log down"));
});

Deno.test("S70 createSignInPath() carries the app's state on the sign-in link", () => {
  assertEquals(
    createSignInPath(DEFAULT_ROUTES, { returnTo: "/reports", state: "invite=inv 42" }),
    "/sign-in?returnTo=%2Freports&state=invite%3Dinv+42",
  );
});
