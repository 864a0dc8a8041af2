/**
 * WorkOS stalling, seen from the auth layer (SECURITY-CASES S45, S58): one wait per outage, not
 * one per request, and a refresh WorkOS answers late is still used. Handler level, with the fake
 * WorkOS behind `fetch` holding answers; the built-server versions are in
 * `outage_server_test.ts`.
 */
import { assert, assertEquals } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { createBreaker } from "../src/shared-state/breaker.ts";
import { createKvSharedState } from "../src/shared-state/kv.ts";
import type { SharedState } from "../src/shared-state/store.ts";
import { defaultClaims, installFakeWorkOS, never, testConfig } from "./support/fake_workos.ts";
import {
  captureLogs,
  createClock,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";
import { tempKvPath } from "./support/kv.ts";

/** Milliseconds `run` takes. */
async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

Deno.test("S45 while WorkOS hangs, eight refreshes of two sessions wait once, not eight times", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const clock = createClock();
  const auth = createAuth(testConfig(), {
    now: clock.now,
    upstreamTimeoutMs: 1_000,
    exchangeTimeoutMs: 1_000,
    refreshWaitMs: 200,
  });
  const cookies = [
    (await signInAndCallback(auth, fake)).sessionCookie,
    (await signInAndCallback(auth, fake)).sessionCookie,
  ];
  clock.advance(600); // both access tokens have expired
  fake.onAuthenticate = never; // answers only when the client gives up
  const [outcomes, elapsed] = await timed(async () => {
    const results = [];
    for (let view = 0; view < 8; view++) {
      results.push(
        await auth.resolveSession(requestWithCookies("/dashboard", [cookies[view % 2]])),
      );
    }
    return results;
  });
  for (const r of outcomes) assertEquals(r.kind, "unavailable", "503, cookie kept");
  assert(elapsed < 800, `eight views took ${Math.round(elapsed)} ms: one 200 ms wait expected`);
  assertEquals(refreshCalls(fake).length, 1, "one exchange probes WorkOS; none piles up");
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // let that exchange time out
});

Deno.test("S58 a refresh WorkOS answers after the request gave up is used: the old cookie gets the new session on another instance", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const clock = createClock();
  await using file = await tempKvPath();
  const stores: SharedState[] = [];
  const instance = async (): Promise<Auth> => {
    const store = createKvSharedState(await Deno.openKv(file.path), clock.now);
    stores.push(store);
    return createAuth(testConfig(), { now: clock.now, sharedState: store, refreshWaitMs: 300 });
  };
  try {
    const [a, b] = [await instance(), await instance()];
    const { sessionCookie } = await signInAndCallback(a, fake);
    clock.advance(600);
    const answer = Promise.withResolvers<void>();
    fake.onAuthenticate = async () => {
      await answer.promise; // WorkOS has the request, and answers late
      return fake.successfulAuthentication(defaultClaims(Math.floor(clock.ms / 1000)));
    };
    const release = setTimeout(answer.resolve, 1_500);
    const [first, waited] = await timed(async () =>
      await a.resolveSession(requestWithCookies("/dashboard", [sessionCookie]))
    );
    assert(waited < 1_000, `the request gave up at its bound (${Math.round(waited)} ms)`);
    assertEquals(first.kind === "unavailable" && first.error.code, "refresh_pending");
    answer.resolve();
    clearTimeout(release);
    let later;
    for (let attempt = 0; attempt < 50; attempt++) {
      later = await b.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
      if (later.kind === "signed-in") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert(later?.kind === "signed-in" && later.setCookies?.length, JSON.stringify(later));
    assertEquals(refreshCalls(fake).length, 1, "the token was spent once, and its answer used");
  } finally {
    for (const store of stores) store.close();
  }
});

Deno.test("createBreaker(): opens on an outage, admits one probe at a time at most once a second, closes on any answer", () => {
  using _logs = captureLogs();
  let ms = 0;
  const breaker = createBreaker(() => ms);
  const first = breaker.admit();
  const second = breaker.admit();
  assert(first !== null && second !== null, "closed: every exchange is admitted");
  first("failed");
  assert(breaker.isOpen());
  assertEquals(breaker.admit(), null, "another exchange is still in flight");
  second("failed");
  assertEquals(breaker.admit(), null, "within a second of the last failure");
  ms += 1_000;
  const probe = breaker.admit();
  assert(probe !== null);
  assertEquals(breaker.admit(), null, "one probe at a time");
  probe("unused"); // it never reached WorkOS: the slot is free again
  const real = breaker.admit()!;
  real("answered");
  assertEquals(breaker.isOpen(), false);
  breaker.trip();
  assert(breaker.isOpen(), "a request that waited its full bound opens it");
});
