/**
 * Claims that follow a role change (SECURITY-CASES S69): membership and user webhooks, verified
 * and applied on one auth layer, learned by a second one over one Deno KV file, and the sessions
 * of that user refreshed (once, across both) before their next use. The fake WorkOS is behind
 * `fetch` and answers the refresh with the token WorkOS would give after the change.
 */
import { assert, assertEquals, assertFalse } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { createKvSharedState } from "../src/shared-state/kv.ts";
import { createMemorySharedState, type SharedState } from "../src/shared-state/store.ts";
import { mergeUserChange, tokenFreshness } from "../src/shared-state/feed.ts";
import { readUserChangeEvent } from "../src/handlers/claims-events.ts";
import { signWebhook } from "../src/dev/standin/webhooks.ts";
import { installFakeWorkOS, signToken, testConfig, USER } from "./support/fake_workos.ts";
import { refreshCalls, requestWithCookies, signInAndCallback } from "./support/flow.ts";
import { twoInstancesOnOneKv } from "./support/instances.ts";
import { tempKvPath } from "./support/kv.ts";

const SECRET = "whsec_claims_0123456789abcdef";
const ACME = "org_01ACME";
const BETA = "org_01BETA";

/** Two auth layers on one KV file, the user signed in on a and seen by both. */
async function twoInstances() {
  const instances = await twoInstancesOnOneKv({
    config: testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }),
  });
  const { fake, a, b } = instances;
  // Issued a few seconds ago: the change below is strictly after it.
  const iat = Math.floor(Date.now() / 1000) - 5;
  const { sessionCookie } = await signInAndCallback(a, fake, {
    claims: { iat, exp: iat + 300 },
  });
  const resolve = (auth: Auth, cookie = sessionCookie) =>
    auth.resolveSession(requestWithCookies("/dashboard", [cookie]));
  for (const instance of [a, b]) assertEquals((await resolve(instance)).kind, "signed-in");
  return { ...instances, sessionCookie, resolve };
}

/** Delivers a signed event to `auth`'s webhook route; resolves to the status. */
async function deliver(auth: Auth, event: string, data: Record<string, unknown>) {
  const body = JSON.stringify({
    id: `event_${crypto.randomUUID().replaceAll("-", "")}`,
    event,
    data,
    created_at: new Date(Date.now() - 1_000).toISOString(),
  });
  const response = await auth.webhook(
    new Request("http://localhost:4321/webhooks/workos", {
      method: "POST",
      headers: { "workos-signature": await signWebhook(body, SECRET, Date.now()) },
      body,
    }),
  );
  await response.body?.cancel();
  return response.status;
}

const membership = (organizationId: string, role = "member") => ({
  object: "organization_membership",
  id: "om_01TEST",
  user_id: USER.id,
  organization_id: organizationId,
  role: { slug: role },
  status: "active",
});

Deno.test("S69 a role change at WorkOS reaches both instances: the next request refreshes once, across both, and carries the new role", async () => {
  await using s = await twoInstances();
  s.fake.onAuthenticate = () =>
    s.fake.successfulAuthentication({ role: "member", roles: ["member"], permissions: [] });
  assertEquals(await deliver(s.a, "organization_membership.updated", membership(ACME)), 200);
  await s.b.revocations.sync(); // b's next poll of the feed
  const [onA, onB] = await Promise.all([s.resolve(s.a), s.resolve(s.b)]);
  for (const resolution of [onA, onB]) {
    assert(resolution.kind === "signed-in");
    assertEquals([resolution.auth.role, resolution.auth.permissions], ["member", []]);
    assert(setCookies(resolution).some((c) => c.startsWith("wos-session=")), "a new cookie");
  }
  assertEquals(refreshCalls(s.fake).length, 1, "one exchange for the session, on either instance");
  // The new cookie is fresh on both: served from the caches from now on.
  const renewed = setCookies(onA).find((c) => c.startsWith("wos-session="))!.split(";")[0];
  for (const instance of [s.a, s.b]) {
    const again = await s.resolve(instance, renewed);
    assert(again.kind === "signed-in" && again.auth.role === "member");
  }
  assertEquals(refreshCalls(s.fake).length, 1);
});

Deno.test("S69 a member removed from the session's organization ends up outside it, or signed out if a refresh still names it", async () => {
  await using s = await twoInstances();
  assertEquals(await deliver(s.a, "organization_membership.deleted", membership(ACME)), 200);
  await s.b.revocations.sync();
  // WorkOS (wrongly) still answers with the organization: never served again.
  s.fake.onAuthenticate = () => s.fake.successfulAuthentication({ org_id: ACME });
  assertEquals(await s.resolve(s.b), {
    kind: "signed-out",
    clearCookie: true,
    code: "session_revoked",
  });
  // WorkOS moves the session out of it: the user stays signed in, elsewhere.
  await using t = await twoInstances();
  assertEquals(await deliver(t.a, "organization_membership.deleted", membership(ACME)), 200);
  await t.b.revocations.sync();
  t.fake.onAuthenticate = () => t.fake.successfulAuthentication({ org_id: BETA });
  const moved = await t.resolve(t.b);
  assert(moved.kind === "signed-in");
  assertEquals(moved.auth.organizationId, BETA);
});

Deno.test("S69 user.deleted ends every session of that user on every instance, with no WorkOS call", async () => {
  await using s = await twoInstances();
  assertEquals(await deliver(s.a, "user.deleted", { object: "user", id: USER.id }), 200);
  await s.b.revocations.sync();
  for (const instance of [s.a, s.b]) {
    assertEquals(await s.resolve(instance), {
      kind: "signed-out",
      clearCookie: true,
      code: "session_revoked",
    });
  }
  assertEquals(refreshCalls(s.fake).length, 0);
  // A fresh instance learns it from shared state on its first cache miss.
  const c = createAuth(s.a.config, { sharedState: s.a.sharedState });
  assertEquals((await s.resolve(c)).kind, "signed-out");
});

Deno.test("S69 a bearer access token issued before a change is refused; one issued after it is accepted", async () => {
  await using s = await twoInstances();
  const now = Math.floor(Date.now() / 1000);
  const before = await signToken(s.fake.key, { iat: now - 5 });
  assertEquals((await s.b.resolveBearer(before)).kind, "signed-in"); // now in b's bearer cache
  assertEquals(await deliver(s.a, "organization_membership.updated", membership(ACME)), 200);
  await s.b.revocations.sync();
  assertEquals((await s.b.resolveBearer(before)).kind, "signed-out");
  const after = await signToken(s.fake.key, { iat: now + 1 });
  assertEquals((await s.b.resolveBearer(after)).kind, "signed-in");
});

Deno.test("S69 other users' cached page views are untouched by a change: no shared-state read, no WorkOS call", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }));
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const resolve = () => auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assertEquals((await resolve()).kind, "signed-in");
  const other = { ...membership(ACME), user_id: "user_01SOMEONEELSE" };
  assertEquals(await deliver(auth, "organization_membership.updated", other), 200);
  const reads = auth.sharedState.stats.reads;
  const hit = resolve();
  assert(!(hit instanceof Promise), "still a synchronous cache hit");
  assertEquals(hit.kind, "signed-in");
  assertEquals(auth.sharedState.stats.reads, reads);
  assertEquals(refreshCalls(fake).length, 0);
});

Deno.test("S69 each event id is applied once; duplicates and unrelated events change nothing", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }));
  const body = JSON.stringify({
    id: "event_01ONCE",
    event: "organization_membership.deleted",
    data: membership(ACME),
    created_at: new Date().toISOString(),
  });
  const send = async () => {
    const response = await auth.webhook(
      new Request("http://localhost:4321/webhooks/workos", {
        method: "POST",
        headers: { "workos-signature": await signWebhook(body, SECRET, Date.now()) },
        body,
      }),
    );
    return await response.json();
  };
  assertEquals(await send(), { received: true });
  assertEquals(await send(), { received: true, duplicate: true });
  assertEquals(auth.revocations.userChange(USER.id)?.leftOrganizations, [ACME]);
  assertEquals(await deliver(auth, "organization.updated", { id: ACME }), 200);
  assertEquals(auth.revocations.userChange("user_01OTHER"), undefined);
});

Deno.test("S69 readUserChangeEvent() reads the five events and refuses hostile shapes", () => {
  const now = Date.parse("2026-12-03T12:00:00.000Z");
  const event = (type: string, data: unknown, extra: Record<string, unknown> = {}) =>
    readUserChangeEvent({
      id: "event_01A",
      event: type,
      data,
      created_at: "2026-12-03T11:59:59.000Z",
      ...extra,
    }, now);
  assertEquals(event("organization_membership.created", membership(BETA))?.change.joined, BETA);
  assertEquals(event("organization_membership.deleted", membership(BETA))?.change.left, BETA);
  assertEquals(
    event("organization_membership.updated", membership(BETA))?.change.changedAt,
    now - 1_000,
  );
  assertEquals(event("user.updated", { id: USER.id })?.change.userId, USER.id);
  assertEquals(event("user.deleted", { id: USER.id })?.change.ended, true);
  // A timestamp from the far future is capped at the clock skew the feed tolerates.
  assertEquals(
    event("user.updated", { id: USER.id }, { created_at: "2099-01-01T00:00:00Z" })?.change
      .changedAt,
    now + 30_000,
  );
  for (
    const [type, data] of [
      ["organization_membership.updated", { user_id: "<script>" }],
      ["user.deleted", { id: "org_01NOTAUSER" }],
      ["user.deleted", null],
      ["session.created", { id: USER.id }],
      ["organization_membership.deleted", { user_id: ["user_01A"] }],
    ] as const
  ) {
    assertEquals(event(type, data), null, `${type} ${JSON.stringify(data)}`);
  }
});

Deno.test("S69 tokenFreshness() and mergeUserChange(): tokens from the change's second refresh; a rejoin clears a removal", () => {
  const change = mergeUserChange(null, {
    userId: "u",
    changedAt: 12_300,
    left: "org_A",
    expiresAt: 9e15,
  });
  assertEquals(tokenFreshness(change, 11), "refresh");
  assertEquals(tokenFreshness(change, 12), "refresh", "same second: it may predate the change");
  assertEquals(tokenFreshness(change, 13), "fresh");
  assertEquals(tokenFreshness(undefined, 1), "fresh");
  assertEquals(tokenFreshness(change, undefined), "refresh");
  assertEquals(tokenFreshness(change, 12, 12_300), "fresh", "refreshed because of this change");
  assertEquals(tokenFreshness(change, 12, 12_299), "refresh", "refreshed before it");
  const rejoined = mergeUserChange(change, {
    userId: "u",
    changedAt: 12_000,
    joined: "org_A",
    expiresAt: 1,
  });
  assertEquals([rejoined.leftOrganizations, rejoined.changedAt], [[], 12_300]);
  const deleted = mergeUserChange(rejoined, {
    userId: "u",
    changedAt: 20_000,
    ended: true,
    expiresAt: 1,
  });
  assertEquals(tokenFreshness(deleted, 19), "ended");
});

for (
  const [name, open] of [
    ["memory", () => Promise.resolve({ store: createMemorySharedState(), close() {} })],
    ["kv", async () => {
      const file = await tempKvPath();
      const store = createKvSharedState(await Deno.openKv(file.path));
      return { store, close: async () => (store.close(), await file[Symbol.asyncDispose]()) };
    }],
  ] as [string, () => Promise<{ store: SharedState; close(): unknown }>][]
) {
  Deno.test(`shared state (${name}): changeUserForEvent() merges per user, once per event id, and puts the record on the feed`, async () => {
    const { store, close } = await open();
    try {
      const since = Date.now() - 1;
      const base = { userId: USER.id, expiresAt: Date.now() + 60_000 };
      assert(
        await store.changeUserForEvent("event_1", 60_000, {
          ...base,
          changedAt: 1_000,
          left: ACME,
        }),
      );
      assertFalse(await store.changeUserForEvent("event_1", 60_000, { ...base, changedAt: 1_000 }));
      assert(
        await store.changeUserForEvent("event_2", 60_000, {
          ...base,
          changedAt: 2_000,
          left: BETA,
        }),
      );
      const status = await store.sessionStatus("session_01X", USER.id);
      assertEquals(status.revoked, false);
      assertEquals(status.userChange?.leftOrganizations, [ACME, BETA]);
      assertEquals(status.userChange?.changedAt, 2_000);
      assertEquals((await store.sessionStatus("session_01X", "user_01OTHER")).userChange, null);
      const page = await store.revocationsSince(since);
      assertEquals(page.revocations, []);
      assertEquals(page.userChanges.map((c) => c.changedAt), [1_000, 2_000]);
    } finally {
      await close();
    }
  });
}

function setCookies(resolution: { kind: string }): string[] {
  return (resolution as { setCookies?: string[] }).setCookies ?? [];
}
