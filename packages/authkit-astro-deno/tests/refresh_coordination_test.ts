/**
 * Refresh across instances (SECURITY-CASES S38, S44, S45): two auth layers, as two instances,
 * sharing one Deno KV file, the fake WorkOS behind `fetch` spending refresh tokens as WorkOS does.
 */
import { assert, assertEquals } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import {
  REFRESH_CLAIM_TTL_MS,
  REFRESH_WAIT_MS,
  TRANSIENT_FAILURE_MEMORY_MS,
} from "../src/shared-state/refresh.ts";
import type { Resolution } from "../src/session/resolve.ts";
import { openSession } from "../src/session/session.ts";
import { hashToken } from "../src/shared-state/store.ts";
import { defaultClaims, type FakeWorkOS, json, never, testConfig } from "./support/fake_workos.ts";
import {
  createClock,
  parseSetCookie,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";
import { twoInstancesOnOneKv } from "./support/instances.ts";

/** Two instances on one KV file, one user signed in on the first, the token expired. */
async function twoInstances() {
  const clock = createClock();
  // Waiting for another instance advances the fake clock, so the 5 s bound takes no time.
  const sleep = (ms: number) => {
    clock.ms += ms;
    return new Promise<void>((resolve) => setTimeout(resolve, 1));
  };
  const instances = await twoInstancesOnOneKv({ now: clock.now, sleep });
  const { fake, a } = instances;
  const { sessionCookie } = await signInAndCallback(a, fake);
  clock.advance(600); // expired: every request needs a refresh
  fake.onAuthenticate = () =>
    fake.successfulAuthentication(defaultClaims(Math.floor(clock.ms / 1000)));
  const resolve = (auth: Auth) =>
    auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  return {
    ...instances,
    clock,
    sessionCookie,
    resolve,
    async claimAsAnotherInstance() {
      const session = await openSession(parseSetCookie(sessionCookie).value, a.config, clock.ms);
      return await instances.stores[0].claimRefresh(
        await hashToken(session!.value.refreshToken),
        REFRESH_CLAIM_TTL_MS,
      );
    },
  };
}

function assertSignedIn(r: Resolution): asserts r is Extract<Resolution, { kind: "signed-in" }> {
  assertEquals(r.kind, "signed-in", JSON.stringify(r));
}

/** Holds the fake's refresh answer until `release()`. */
function holdRefreshes(fake: FakeWorkOS, answer: () => Promise<Response>) {
  const gate = Promise.withResolvers<void>();
  fake.onAuthenticate = async () => {
    await gate.promise;
    return await answer();
  };
  return { release: () => gate.resolve() };
}

Deno.test("S38 two instances refreshing one token at once make one exchange and set the same cookie", async () => {
  await using s = await twoInstances();
  const held = holdRefreshes(s.fake, s.fake.onAuthenticate as () => Promise<Response>);
  const requests = [s.resolve(s.a), s.resolve(s.b), s.resolve(s.a), s.resolve(s.b)];
  await new Promise((resolve) => setTimeout(resolve, 50));
  held.release();
  const results = await Promise.all(requests);
  for (const result of results) assertSignedIn(result);
  assertEquals(refreshCalls(s.fake).length, 1, "one exchange across both instances");
  const cookies = new Set(results.map((r) => r.kind === "signed-in" && r.setCookies?.join("\n")));
  assertEquals(cookies.size, 1, "every response sets the same new seal");
  assert([...cookies][0], "a new cookie is set");
});

Deno.test("S38 an instance that arrives after the refresh answers from the published seal", async () => {
  await using s = await twoInstances();
  const first = await s.resolve(s.a);
  assertSignedIn(first);
  s.clock.advance(10); // well within the reuse window
  const late = await s.resolve(s.b);
  assertSignedIn(late);
  // The same seal (its Max-Age counts down with the clock).
  assertEquals(
    late.setCookies!.map((c) => parseSetCookie(c).value),
    first.setCookies!.map((c) => parseSetCookie(c).value),
  );
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S38 a request waits at most REFRESH_WAIT_MS for another instance, then 503, cookie kept", async () => {
  await using s = await twoInstances();
  assertEquals(await s.claimAsAnotherInstance(), null);
  const started = s.clock.ms;
  const r = await s.resolve(s.b);
  assertEquals(r.kind === "unavailable" && r.error.code, "refresh_pending");
  assert(s.clock.ms - started >= REFRESH_WAIT_MS, "it waited the full bound");
  assertEquals(refreshCalls(s.fake).length, 0, "the token was not spent twice");
});

Deno.test("S38 a claim left by an instance that died expires; the next request refreshes", async () => {
  await using s = await twoInstances();
  await s.claimAsAnotherInstance();
  s.clock.ms += REFRESH_CLAIM_TTL_MS + 1;
  assertSignedIn(await s.resolve(s.b));
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S44 a dead token seen by one instance signs the other out without a second exchange", async () => {
  await using s = await twoInstances();
  s.fake.onAuthenticate = () => json(400, { code: "invalid_grant", message: "used" });
  assertEquals(await s.resolve(s.a), {
    kind: "signed-out",
    clearCookie: true,
    code: "refresh_rejected",
  });
  assertEquals(await s.resolve(s.b), {
    kind: "signed-out",
    clearCookie: true,
    code: "refresh_rejected",
  });
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S45 while WorkOS hangs, one token costs one timeout per few seconds, on every instance", async () => {
  await using s = await twoInstances();
  const a = createAuth(testConfig(), {
    now: s.clock.now,
    sharedState: s.a.sharedState,
    upstreamTimeoutMs: 100,
    exchangeTimeoutMs: 100,
  });
  s.fake.onAuthenticate = never;
  const outcomes = [];
  for (let i = 0; i < 5; i++) outcomes.push(await s.resolve(a), await s.resolve(s.b));
  for (const r of outcomes) {
    assertEquals(r.kind === "unavailable" && r.error.code, "upstream_timeout");
  }
  assertEquals(refreshCalls(s.fake).length, 1, "ten requests, one upstream call");

  s.clock.ms += TRANSIENT_FAILURE_MEMORY_MS + 1;
  s.fake.onAuthenticate = () =>
    s.fake.successfulAuthentication(defaultClaims(Math.floor(s.clock.ms / 1000)));
  assertSignedIn(await s.resolve(s.b));
  assertEquals(
    refreshCalls(s.fake).length,
    2,
    "after the memory expires, the token is tried again",
  );
});
