/**
 * Ending a session everywhere (SECURITY-CASES S39–S41): sign-out and WorkOS's `session.revoked`
 * webhook, seen by a second instance over one Deno KV file. The fake WorkOS is behind `fetch`;
 * webhooks are signed with real HMACs and verified by the real v6 SDK.
 */
import { assert, assertEquals } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { MAX_WEBHOOK_BYTES, WEBHOOK_TOLERANCE_MS } from "../src/handlers/webhook.ts";
import { signWebhook } from "../src/dev/standin/webhooks.ts";
import { installFakeWorkOS, json, testConfig } from "./support/fake_workos.ts";
import {
  APP,
  captureLogs,
  getSetCookie,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";
import { twoInstancesOnOneKv } from "./support/instances.ts";

const SECRET = "whsec_test_0123456789abcdef";
const SID = "session_01TEST"; // the fake's tokens carry this sid

/** Two instances on one KV file, Ada signed in on the first and seen by both. */
async function twoInstances() {
  const instances = await twoInstancesOnOneKv({
    config: testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }),
  });
  const { fake, a, b } = instances;
  const { sessionCookie } = await signInAndCallback(a, fake);
  const resolve = (auth: Auth) =>
    auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assertEquals((await resolve(a)).kind, "signed-in");
  assertEquals((await resolve(b)).kind, "signed-in"); // now in b's verified-session cache
  return { ...instances, sessionCookie, resolve };
}

const REVOKED = { kind: "signed-out", clearCookie: true, code: "session_revoked" };

function signOut(auth: Auth, cookie: string): Promise<Response> {
  return auth.signOut(requestWithCookies("/sign-out", [cookie], {
    method: "POST",
    headers: { origin: APP },
  }));
}

Deno.test("S39 signOut() ends the session at WorkOS from the server, then goes to the logout URL", async () => {
  await using s = await twoInstances();
  const response = await signOut(s.a, s.sessionCookie);
  assertEquals(s.fake.calls.revoke, [{ session_id: SID }]);
  assertEquals(response.status, 302);
  assert(
    response.headers.get("location")!.includes(
      `/user_management/sessions/logout?session_id=${SID}`,
    ),
  );
  assertEquals(getSetCookie(response, "wos-session")?.attributes["max-age"], "0");
});

Deno.test("S39 a sign-out on one instance is refused by the other after its next poll, cache or not", async () => {
  await using s = await twoInstances();
  await signOut(s.a, s.sessionCookie);
  assertEquals(await s.resolve(s.a), REVOKED, "the signing-out instance at once");
  await s.b.revocations.sync(); // what b's background poll does each second
  assertEquals(await s.resolve(s.b), REVOKED, "the other instance, whose cache held it");
  const c = createAuth(s.a.config, { sharedState: s.a.sharedState });
  assertEquals(await s.resolve(c), REVOKED, "a fresh instance, on its first cache miss");
});

Deno.test("S39 signOut() still signs out when WorkOS's revoke fails, and logs it", async () => {
  await using s = await twoInstances();
  using logs = captureLogs();
  s.fake.onRevoke = () => json(500, { message: "Internal Server Error" });
  const response = await signOut(s.a, s.sessionCookie);
  assertEquals(response.status, 302);
  assertEquals(getSetCookie(response, "wos-session")?.attributes["max-age"], "0");
  assertEquals(await s.resolve(s.a), REVOKED);
  const line = JSON.parse(logs.lines.find((l) => l.includes('"/sign-out"'))!);
  assertEquals([line.code, line.upstreamStatus], ["upstream_unavailable", 500]);
  assert(!logs.lines.join("\n").includes(SID), "no session id in logs");
});

Deno.test("S53 a replayed sign-out of a revoked session calls WorkOS and writes shared state once in all", async () => {
  await using s = await twoInstances();
  const writes = () => s.a.sharedState.stats.writes + s.b.sharedState.stats.writes;
  const first = await signOut(s.a, s.sessionCookie);
  assertEquals(first.status, 302);
  assertEquals([s.fake.calls.revoke.length, writes()], [1, 1]);
  // Ten replays on the instance that signed out, ten on one that has not polled the feed yet.
  for (const instance of [s.a, s.b]) {
    for (let replay = 0; replay < 10; replay++) {
      const response = await signOut(instance, s.sessionCookie);
      assertEquals(response.status, 302);
      assertEquals(getSetCookie(response, "wos-session")?.attributes["max-age"], "0");
    }
  }
  assertEquals(s.fake.calls.revoke.length, 1, "one WorkOS call for the session");
  assertEquals(writes(), 1, "no shared-state write for a session already revoked");
});

Deno.test("S53 sign-outs of one session racing on two instances call WorkOS once", async () => {
  await using s = await twoInstances();
  const responses = await Promise.all([
    signOut(s.a, s.sessionCookie),
    signOut(s.b, s.sessionCookie),
    signOut(s.a, s.sessionCookie),
    signOut(s.b, s.sessionCookie),
  ]);
  for (const response of responses) assertEquals(response.status, 302);
  assertEquals(s.fake.calls.revoke.length, 1);
});

/** A `session.revoked` delivery for `sid`, signed at `timestampMs` with `secret`. */
async function delivery(
  opts: { sid?: string; id?: string; timestampMs?: number; secret?: string; body?: string } = {},
): Promise<Request> {
  const body = opts.body ?? JSON.stringify({
    id: opts.id ?? "event_01REVOKED",
    event: "session.revoked",
    data: { object: "session", id: opts.sid ?? SID, user_id: "user_01ADA", status: "revoked" },
    created_at: new Date().toISOString(),
  });
  const signature = await signWebhook(body, opts.secret ?? SECRET, opts.timestampMs ?? Date.now());
  return new Request(`${APP}/webhooks/workos`, {
    method: "POST",
    headers: { "content-type": "application/json", "workos-signature": signature },
    body,
  });
}

Deno.test("S40 a signed session.revoked webhook ends the session on every instance", async () => {
  await using s = await twoInstances();
  const response = await s.a.webhook(await delivery());
  assertEquals([response.status, await response.json()], [200, { received: true }]);
  assertEquals(await s.resolve(s.a), REVOKED);
  await s.b.revocations.sync();
  assertEquals(await s.resolve(s.b), REVOKED);
});

Deno.test("S40 each event id is handled once, whichever instance receives a repeat", async () => {
  await using s = await twoInstances();
  assertEquals(await (await s.a.webhook(await delivery())).json(), { received: true });
  const repeat = await s.b.webhook(await delivery());
  assertEquals([repeat.status, await repeat.json()], [200, { received: true, duplicate: true }]);
  assertEquals(s.a.sharedState.stats.writes + s.b.sharedState.stats.writes, 1, "one revocation");
});

Deno.test("S41 webhooks with a missing, bad or stale signature are refused and change nothing", async (t) => {
  await using s = await twoInstances();
  using _logs = captureLogs();
  const now = Date.now();
  const unsigned = await delivery();
  unsigned.headers.delete("workos-signature");
  const tampered = await delivery();
  const signature = tampered.headers.get("workos-signature")!;
  const mac = signature.slice(signature.indexOf("v1=") + 3);
  const flipped = (mac[0] === "0" ? "1" : "0") + mac.slice(1); // one hex digit changed
  tampered.headers.set("workos-signature", signature.replace(mac, flipped));
  const cases: Record<string, [Request, number]> = {
    "no signature": [unsigned, 401],
    "another secret": [await delivery({ secret: "whsec_someone_else" }), 401],
    "a tampered MAC": [tampered, 401],
    "stale (older than the tolerance)": [
      await delivery({ timestampMs: now - WEBHOOK_TOLERANCE_MS - 5_000 }),
      401,
    ],
    "from the future": [await delivery({ timestampMs: now + WEBHOOK_TOLERANCE_MS + 5_000 }), 401],
    "a timestamp that is not a number": [
      new Request(unsigned.url, {
        method: "POST",
        headers: { "workos-signature": "t=abc,v1=00" },
        body: JSON.stringify({ event: "session.revoked", id: "event_x", data: { id: SID } }),
      }),
      401,
    ],
    "not JSON": [await delivery({ body: "{not json" }), 400],
    "larger than the limit": [
      await delivery({ body: JSON.stringify({ pad: "x".repeat(MAX_WEBHOOK_BYTES) }) }),
      413,
    ],
  };
  for (const [name, [request, status]] of Object.entries(cases)) {
    await t.step(name, async () => {
      const response = await s.a.webhook(request);
      assertEquals(response.status, status);
      await response.body?.cancel();
      assertEquals((await s.resolve(s.a)).kind, "signed-in", "nothing changed");
    });
  }
});

Deno.test("S41 the webhook route answers 404 when WORKOS_WEBHOOK_SECRET is not set", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const response = await auth.webhook(await delivery());
  assertEquals(response.status, 404);
  await response.body?.cancel();
  assertEquals(await auth.revocations.isRevoked(SID), false);
});

Deno.test("webhooks of other event types are acknowledged and change nothing", async () => {
  await using s = await twoInstances();
  const body = JSON.stringify({
    id: "event_02",
    event: "user.updated",
    data: { id: "user_01ADA" },
  });
  const response = await s.a.webhook(await delivery({ body }));
  assertEquals([response.status, await response.json()], [200, { received: true }]);
  assertEquals((await s.resolve(s.a)).kind, "signed-in");
});
