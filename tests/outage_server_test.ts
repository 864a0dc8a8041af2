/**
 * WorkOS stalling, tried as an operator would (SECURITY-CASES S45, S58): the built server in front
 * of the local AuthKit stand-in, whose API is paused mid-request (as `kill -STOP` would) while
 * signed-in users' tokens need refreshing, then resumed. Tokens last 30 s, inside the 60 s refresh
 * margin, so every page view refreshes, and a still-valid token is what a user gets meanwhile.
 */
import { assert, assertEquals } from "@std/assert";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { type Stack, startInstances, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";

/** GET /dashboard with `jar`; fails on a sign-out or a cleared cookie. Resolves to the status. */
async function pageView(stack: Stack, jar: CookieJar): Promise<number> {
  const { response } = await request(new URL("/dashboard", stack.appUrl), jar);
  assert(response.status !== 302, `signed out: ${response.headers.get("location")}`);
  assert(
    !response.headers.getSetCookie().some((c) => /^wos-session=;/.test(c)),
    "the session cookie is never cleared by an outage",
  );
  return response.status;
}

/** `jar` with only its session cookie: an old cookie to replay. */
function copyOf(jar: CookieJar): CookieJar {
  const copy = new CookieJar();
  copy.set("wos-session", jar.get("wos-session")!);
  return copy;
}

Deno.test("S45 built server: while WorkOS is paused, eight page views of two users take at most 7 s in all, and both are served within 2 s of its return", async () => {
  await using stack = await startStack({ accessTokenTtlSeconds: 30 });
  const users = [new CookieJar(), new CookieJar()];
  await signIn(stack, users[0], { userId: ADA });
  await signIn(stack, users[1], { userId: GRACE });
  for (const jar of users) assertEquals(await pageView(stack, jar), 200); // memberships cached

  stack.standIn.pause();
  const started = performance.now();
  const statuses = [];
  for (let view = 0; view < 8; view++) statuses.push(await pageView(stack, users[view % 2]));
  const outage = performance.now() - started;
  console.log(`  eight page views while WorkOS is paused: ${Math.round(outage)} ms`);
  assertEquals(statuses, Array(8).fill(200), "each still-valid token is served");
  assert(outage <= 7_000, `eight page views took ${Math.round(outage)} ms`);

  stack.standIn.resume();
  const back = performance.now();
  for (const jar of users) assertEquals(await pageView(stack, jar), 200);
  const recovery = performance.now() - back;
  console.log(`  both users served ${Math.round(recovery)} ms after WorkOS returned`);
  assert(recovery <= 2_000, `recovery took ${Math.round(recovery)} ms`);
});

Deno.test("S58 built servers: a refresh WorkOS answers after the request gave up is used, and the old cookie gets the new session on the other instance", async () => {
  await using pair = await startInstances({ accessTokenTtlSeconds: 30 });
  const jar = new CookieJar();
  await signIn(pair.a, jar, { userId: ADA });
  assertEquals(await pageView(pair.a, jar), 200); // refreshes, and caches the memberships
  const oldCookie = copyOf(jar); // the cookie the browser holds now

  pair.standIn.resetCounts();
  pair.standIn.pause();
  const started = performance.now();
  assertEquals(await pageView(pair.a, copyOf(oldCookie)), 200, "the still-valid token, meanwhile");
  const waited = performance.now() - started;
  assert(waited <= 6_000, `the request gave up at its bound (${Math.round(waited)} ms)`);
  assertEquals(pair.standIn.counts().authenticate, 1, "WorkOS holds the refresh");
  pair.standIn.resume(); // WorkOS spends the token now, and answers the instance still listening

  let refreshed: string | undefined;
  for (let attempt = 0; attempt < 40 && !refreshed; attempt++) {
    const replay = copyOf(oldCookie);
    assertEquals(await pageView(pair.b, replay), 200);
    if (replay.get("wos-session") !== oldCookie.get("wos-session")) {
      refreshed = replay.get("wos-session");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert(refreshed, "the old cookie got the new session on the other instance");
  assertEquals(pair.standIn.counts().authenticate, 1, "the token was spent once, by WorkOS");
  assertEquals(await pageView(pair.a, copyOf(oldCookie)), 200, "nobody is signed out");
  assertEquals(pair.standIn.activeSessions().length, 1);
});
