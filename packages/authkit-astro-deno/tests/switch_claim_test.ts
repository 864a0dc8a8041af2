/**
 * The organization switch spends the session's refresh token, so it goes through the same
 * cross-instance claim as a refresh (SECURITY-CASES S55). Two auth layers share one Deno KV file,
 * as two instances; the fake WorkOS spends refresh tokens as WorkOS does.
 */
import { assert, assertEquals } from "@std/assert";
import type { Auth } from "../src/auth.ts";
import { defaultClaims, FAKE_ORGANIZATIONS, type FakeWorkOS, json } from "./support/fake_workos.ts";
import {
  APP,
  captureLogs,
  createClock,
  getSetCookie,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";
import { twoInstancesOnOneKv } from "./support/instances.ts";

const { beta } = FAKE_ORGANIZATIONS;

/**
 * WorkOS's token endpoint: each refresh token works once (then `invalid_grant`), and a refresh
 * with `organization_id` yields a token for that organization. `gate`, while set, holds answers.
 */
function spendTokensOnce(fake: FakeWorkOS, clock: { ms: number }) {
  const spent = new Set<unknown>();
  const control = { gate: null as Promise<void> | null };
  fake.onAuthenticate = async (body) => {
    if (body.grant_type === "refresh_token") {
      if (spent.has(body.refresh_token)) return json(400, { error: "invalid_grant" });
      spent.add(body.refresh_token);
    }
    if (control.gate) await control.gate;
    const org = body.organization_id ?? "org_01ACME";
    return fake.successfulAuthentication({
      ...defaultClaims(Math.floor(clock.ms / 1000)),
      org_id: org,
    });
  };
  return control;
}

async function twoInstances() {
  const clock = createClock();
  const instances = await twoInstancesOnOneKv({ now: clock.now });
  const { sessionCookie } = await signInAndCallback(instances.a, instances.fake);
  const control = spendTokensOnce(instances.fake, clock);
  return { ...instances, clock, sessionCookie, control };
}

function switchTo(auth: Auth, cookie: string, organizationId: string): Promise<Response> {
  return auth.switchOrganization(requestWithCookies("/auth/switch-organization", [cookie], {
    method: "POST",
    headers: { origin: APP, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ organizationId }),
  }));
}

/** Each refresh token WorkOS was asked to spend, and how often. */
function exchangesPerToken(fake: FakeWorkOS): number[] {
  const counts = new Map<unknown, number>();
  for (const call of refreshCalls(fake)) {
    counts.set(call.refresh_token, (counts.get(call.refresh_token) ?? 0) + 1);
  }
  return [...counts.values()];
}

Deno.test("S55 an old cookie replayed to the switch on two instances spends its token once, and a refusal is remembered", async () => {
  await using s = await twoInstances();
  using _logs = captureLogs();
  const first = await switchTo(s.a, s.sessionCookie, beta.id);
  assertEquals(first.status, 303);
  // Past the window in which the switched session answers for the old token: its token is spent.
  s.clock.advance(60);
  for (let replay = 0; replay < 10; replay++) {
    const response = await switchTo([s.a, s.b][replay % 2], s.sessionCookie, beta.id);
    await response.body?.cancel();
    assertEquals(response.status, 303, "to sign-in: the old session is over");
  }
  assertEquals(refreshCalls(s.fake).length, 2, "the switch, then one refused replay");
});

Deno.test("S55 a switch racing a refresh of the same token on another instance: one exchange per token, nobody signed out", async () => {
  await using s = await twoInstances();
  s.clock.advance(600); // the access token has expired: a page view refreshes
  const gate = Promise.withResolvers<void>();
  s.control.gate = gate.promise;
  const pageView = s.a.resolveSession(requestWithCookies("/dashboard", [s.sessionCookie]));
  await new Promise((resolve) => setTimeout(resolve, 30));
  const switched = switchTo(s.b, s.sessionCookie, beta.id);
  await new Promise((resolve) => setTimeout(resolve, 30));
  s.control.gate = null;
  gate.resolve();
  const [view, response] = await Promise.all([pageView, switched]);
  assertEquals(view.kind, "signed-in", JSON.stringify(view));
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/dashboard");
  const cookie = getSetCookie(response, "wos-session");
  assert(cookie && cookie.value !== "", "the switched session is set");
  assertEquals(exchangesPerToken(s.fake), [1, 1], "two tokens, each spent once");
  const after = await s.b.resolveSession(requestWithCookies("/dashboard", [cookie.pair]));
  assertEquals(after.kind === "signed-in" && after.auth.organizationId, beta.id);
});
