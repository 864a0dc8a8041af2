/**
 * Many instances, one truth (SECURITY-CASES S38–S41), tested the way Deno Deploy runs the app:
 * two built servers side by side sharing one Deno KV file, driven over HTTP, against the local
 * AuthKit stand-in, which spends refresh tokens once and sends signed webhooks.
 */
import { assert, assertEquals } from "@std/assert";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { type Instances, type Stack, startInstances, startStack } from "./support/stack.ts";
import { unavailableDenoKv } from "../packages/authkit-astro-deno/tests/support/denokv.ts";

const ADA = "user_01ADA000000000000000000000";

/** A jar holding exactly `cookie` as the session: a replayed old cookie. */
function jarWith(cookie: string): CookieJar {
  const jar = new CookieJar();
  jar.set("wos-session", cookie);
  return jar;
}

/**
 * Signs Ada in and opens `/dashboard` once on each instance, so both hold the session in their
 * verified-session caches. Resolves to the session cookie.
 */
async function signInSeenByBoth(pair: Instances, jar: CookieJar): Promise<string> {
  await signIn(pair.a, jar, { userId: ADA });
  const cookie = jar.get("wos-session")!;
  for (const instance of [pair.a, pair.b]) {
    const { response } = await request(new URL("/dashboard", instance.appUrl), jarWith(cookie));
    assertEquals(response.status, 200);
  }
  return cookie;
}

/**
 * Requests `/dashboard` on each instance with `cookie` until every one refuses it (302 to sign-in,
 * cookie cleared), failing on any 5xx. Resolves to the milliseconds it took.
 */
async function untilRefusedEverywhere(instances: Stack[], cookie: string, limitMs: number) {
  const started = performance.now();
  const pending = new Set(instances);
  while (pending.size > 0) {
    for (const instance of [...pending]) {
      const { response } = await request(new URL("/dashboard", instance.appUrl), jarWith(cookie));
      assert(response.status < 500, `no 5xx (got ${response.status})`);
      if (response.status === 302) {
        assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
        assert(
          response.headers.getSetCookie().some((c) => /^wos-session=;.*Max-Age=0/i.test(c)),
          "the dead cookie is cleared",
        );
        pending.delete(instance);
      } else {
        assertEquals(response.status, 200);
      }
    }
    if (performance.now() - started > limitMs) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals([...pending].map((s) => s.appUrl.port), [], `refused everywhere in ${limitMs} ms`);
  return performance.now() - started;
}

Deno.test("S38 built servers: a refresh race split across two instances is served by one exchange", async () => {
  // 30 s tokens are inside the 60 s refresh margin: every cache miss refreshes.
  await using pair = await startInstances({ accessTokenTtlSeconds: 30 });
  const jar = new CookieJar();
  await signIn(pair.a, jar, { userId: ADA });
  let cookie = jar.get("wos-session")!;
  for (let round = 1; round <= 2; round++) {
    pair.standIn.resetCounts();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => [pair.a, pair.b][i % 2]).map((instance) =>
        request(new URL("/dashboard", instance.appUrl), jarWith(cookie))
      ),
    );
    for (const { response } of responses) assertEquals(response.status, 200);
    assertEquals(pair.standIn.counts().authenticate, 1, `round ${round}: one exchange`);
    const newCookies = new Set(responses.map(({ response }) => {
      const header = response.headers.getSetCookie().find((c) => c.startsWith("wos-session="));
      return header?.slice("wos-session=".length, header.indexOf(";"));
    }));
    assertEquals(newCookies.size, 1, `round ${round}: every response sets the same new seal`);
    cookie = [...newCookies][0]!;
    assert(cookie, "a new session cookie");
  }
});

Deno.test("S39 built servers: after sign-out on one instance, both refuse the old cookie within 2 s", async () => {
  await using pair = await startInstances();
  const jar = new CookieJar();
  const oldCookie = await signInSeenByBoth(pair, jar);
  pair.standIn.resetCounts();
  const signOut = await request(new URL("/sign-out", pair.a.appUrl), jar, {
    method: "POST",
    headers: { origin: pair.a.appUrl.origin },
  });
  assertEquals(signOut.response.status, 302);
  assertEquals(pair.standIn.counts().revoke, 1, "the WorkOS session was ended from the server");
  assertEquals(pair.standIn.activeSessions(), []);
  // The browser never follows the logout redirect here: the server-side revoke is what counts.
  const elapsed = await untilRefusedEverywhere([pair.a, pair.b], oldCookie, 2_000);
  console.log(`  refused on both instances ${Math.round(elapsed)} ms after sign-out`);
});

Deno.test("S40 built servers: a signed session.revoked webhook is honoured by both within 3 s", async () => {
  await using pair = await startInstances();
  const cookie = await signInSeenByBoth(pair, new CookieJar());
  const [sessionId] = pair.standIn.activeSessions();
  pair.standIn.revokeSession(sessionId); // an admin, in the WorkOS dashboard
  const elapsed = await untilRefusedEverywhere([pair.a, pair.b], cookie, 3_000);
  console.log(`  refused on both instances ${Math.round(elapsed)} ms after the revocation`);
  assertEquals(pair.standIn.webhookDeliveries(), { sent: 1, accepted: 1 });
});

Deno.test("S41 built servers: a forged or stale webhook is refused and changes nothing", async () => {
  await using pair = await startInstances();
  const jar = new CookieJar();
  await signIn(pair.a, jar, { userId: ADA });
  const [sessionId] = pair.standIn.activeSessions();
  const body = JSON.stringify({
    id: "event_01FORGED",
    event: "session.revoked",
    data: { object: "session", id: sessionId },
  });
  const stale = `t=${Date.now() - 10 * 60_000},v1=${"0".repeat(64)}`;
  for (const signature of [`t=${Date.now()},v1=${"0".repeat(64)}`, stale, ""]) {
    const response = await fetch(new URL("/webhooks/workos", pair.b.appUrl), {
      method: "POST",
      headers: { "content-type": "application/json", "workos-signature": signature },
      body,
    });
    assertEquals(response.status, 401);
    await response.body?.cancel();
  }
  await new Promise((resolve) => setTimeout(resolve, 1_200)); // past a poll on each instance
  for (const instance of [pair.a, pair.b]) {
    const { response } = await request(new URL("/dashboard", instance.appUrl), jar);
    assertEquals(response.status, 200, "still signed in");
  }
  assert(!pair.b.logs().includes(sessionId), "no session id in logs");
});

Deno.test("S64 built server: when configured KV cannot be opened, /healthz answers 503 with a reason that names no path, and it still signs in", async () => {
  await using stack = await startStack({
    env: { DENO_KV_PATH: "/nonexistent-dir/for/kv.sqlite3" },
  });
  const health = await request(new URL("/healthz", stack.appUrl), new CookieJar());
  // DENO_KV_PATH asked for shared state: a platform health check must notice it is not in use.
  assertEquals(health.response.status, 503);
  const body = JSON.parse(health.body);
  assertEquals([body.status, body.sharedState], ["degraded", "memory"]);
  // What failed, not where: the path (or a denokv URL) is the log's business, not a probe's.
  assertEquals(body.reason, "Deno KV could not be opened: fell back to memory");
  assertEquals(health.body.includes("nonexistent-dir"), false, health.body);
  const fallbackLines = stack.logs().split("\n").filter((l) => l.includes("shared_state_fallback"));
  assertEquals(fallbackLines.length, 1, stack.logs());
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(dashboard.response.status, 200);
});

Deno.test("built server: DENO_KV_PATH may name a self-hosted denokv URL, reached with DENO_KV_ACCESS_TOKEN as given", async () => {
  const denoKv = unavailableDenoKv();
  try {
    await using stack = await startStack({
      env: {
        DENO_KV_PATH: `${denoKv.url}/kv/app`,
        DENO_KV_ACCESS_TOKEN: "denokv_stack_token_0123",
      },
    });
    assertEquals(denoKv.requests[0], {
      method: "POST",
      path: "/kv/app",
      authorization: "Bearer denokv_stack_token_0123",
    });
    const health = await request(new URL("/healthz", stack.appUrl), new CookieJar());
    assertEquals(health.response.status, 503, "that server is down: the instance says so");
    const reason = JSON.parse(health.body).reason;
    assertEquals(reason, "Deno KV could not be opened: fell back to memory", "S64: no host");
    assertEquals(health.body.includes(new URL(denoKv.url).host), false, health.body);
    assert(!stack.logs().includes("denokv_stack_token_0123"), "the token is never logged");
  } finally {
    await denoKv.server.shutdown();
  }
});
