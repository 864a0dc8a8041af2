/**
 * Organizations (`src/lib/auth/organizations.ts`, `memberships.ts`): `POST
 * /auth/switch-organization` (S50, S51), the memberships cache and the pages' view, called as plain handlers with the fake WorkOS behind
 * `fetch`.
 */
import { assert, assertEquals, assertExists, assertStringIncludes } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import {
  MEMBERSHIPS_FAILURE_TTL_MS,
  MEMBERSHIPS_TTL_MS,
  type OrganizationView,
  viewWithoutOrganizations,
} from "../src/organizations/memberships.ts";
import type { AuthContext } from "../src/session/resolve.ts";
import {
  FAKE_ORGANIZATIONS,
  type FakeWorkOS,
  installFakeWorkOS,
  json,
  membershipList,
  never,
  testConfig,
  USER,
} from "./support/fake_workos.ts";
import {
  APP,
  captureLogs,
  createClock,
  getSetCookie,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

const { acme, beta, pending } = FAKE_ORGANIZATIONS;

function switchRequest(
  cookies: string[],
  fields: Record<string, string>,
  origin: string | null = APP,
): Request {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    ...(origin === null ? {} : { origin }),
  };
  return requestWithCookies("/auth/switch-organization", cookies, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
  });
}

/** WorkOS answers a refresh with `organization_id` with a token for that membership. */
function answerSwitches(fake: FakeWorkOS): void {
  fake.onAuthenticate = (body) => {
    const organization = Object.values(FAKE_ORGANIZATIONS).find((o) =>
      o.id === body.organization_id
    );
    return fake.successfulAuthentication(
      organization
        ? {
          org_id: organization.id,
          role: organization.role,
          roles: [organization.role],
          permissions: ["posts:read"],
        }
        : {},
    );
  };
}

async function signedIn(auth: Auth, fake: FakeWorkOS): Promise<string> {
  const { sessionCookie } = await signInAndCallback(auth, fake);
  answerSwitches(fake);
  return sessionCookie;
}

async function resolvedAuth(auth: Auth, cookie: string): Promise<AuthContext> {
  const resolution = await auth.resolveSession(requestWithCookies("/dashboard", [cookie]));
  if (resolution.kind !== "signed-in") throw new Error(`Not signed in: ${resolution.kind}`);
  return resolution.auth;
}

Deno.test("switchOrganization() refreshes into the organization, re-seals and redirects 303 to returnTo", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cookie = await signedIn(auth, fake);
  const response = await auth.switchOrganization(
    switchRequest([cookie], { organizationId: beta.id, returnTo: "/dashboard/settings" }),
  );
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "/dashboard/settings");
  assertEquals(response.headers.get("cache-control"), "no-store");

  const [exchange] = refreshCalls(fake);
  assertEquals(exchange.organization_id, beta.id);
  assertEquals(exchange.grant_type, "refresh_token");
  assertEquals(typeof exchange.refresh_token, "string");

  const sealed = getSetCookie(response, "wos-session");
  assertExists(sealed);
  const switched = await resolvedAuth(auth, sealed.pair);
  assertEquals([switched.organizationId, switched.role], [beta.id, "member"]);
  assertEquals(switched.user.email, USER.email);

  const view = await auth.viewOrganizations(switched);
  assertEquals(view.auth?.organizationName, beta.name);
  assertEquals(view.organizations?.find((o) => o.current)?.id, beta.id);
});

Deno.test("switchOrganization() sends an unsafe or missing returnTo to /dashboard", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  let cookie = await signedIn(auth, fake);
  const hostile = ["https://evil.example/", "//evil.example", "/\\evil.example", "/sign-in", ""];
  for (const returnTo of hostile) {
    await t.step(JSON.stringify(returnTo), async () => {
      const response = await auth.switchOrganization(
        switchRequest([cookie], { organizationId: beta.id, returnTo }),
      );
      assertEquals(response.headers.get("location"), "/dashboard");
      cookie = getSetCookie(response, "wos-session")!.pair; // the refresh token rotated
    });
  }
});

Deno.test("S50 switchOrganization() refuses an organization outside the user's active memberships, with no token request", async (t) => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const cookie = await signedIn(auth, fake);
  const refused: Record<string, Record<string, string>> = {
    "another organization": { organizationId: "org_01SOMEONEELSE" },
    "a pending membership": { organizationId: pending.id },
    "a malformed id": { organizationId: "org_<script>" },
    "a non-org id": { organizationId: "user_01ADA" },
    "no id": {},
    "an id over 64 characters": { organizationId: `org_${"A".repeat(65)}` },
  };
  for (const [name, fields] of Object.entries(refused)) {
    await t.step(name, async () => {
      const response = await auth.switchOrganization(switchRequest([cookie], fields));
      assertEquals(response.status, 400);
      assertStringIncludes(await response.text(), "You are not a member of that organization.");
      assertEquals(response.headers.getSetCookie(), [], "the session is unchanged");
    });
  }
  assertEquals(refreshCalls(fake), [], "the token endpoint was never asked");
  assert(logs.lines.every((line) => JSON.parse(line).code === "organization_invalid"));
  // The session still works as it was.
  assertEquals((await resolvedAuth(auth, cookie)).organizationId, acme.id);
});

Deno.test("S51 switchOrganization() refuses a POST without a same-site Origin, before anything else", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cookie = await signedIn(auth, fake);
  const apiCallsBefore = fake.apiCalls.length;
  const origins: Record<string, string | null> = {
    "no Origin": null,
    "a foreign Origin": "https://evil.example",
    "Origin null": "null",
    "the app's host on another scheme": "https://localhost:4321",
  };
  for (const [name, origin] of Object.entries(origins)) {
    await t.step(name, async () => {
      const response = await auth.switchOrganization(
        switchRequest([cookie], { organizationId: beta.id }, origin),
      );
      assertEquals(response.status, 403);
      assertEquals(response.headers.getSetCookie(), []);
      assertEquals(response.headers.get("location"), null);
    });
  }
  assertEquals(refreshCalls(fake), []);
  assertEquals(fake.apiCalls.length, apiCallsBefore, "memberships not even listed");
});

Deno.test("switchOrganization() without a session sends the browser to sign in into that organization", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cases: Record<string, [string[], boolean]> = {
    "no cookie": [[], false],
    "a garbage cookie": [["wos-session=garbage"], true],
  };
  for (const [name, [cookies, cleared]] of Object.entries(cases)) {
    await t.step(name, async () => {
      const response = await auth.switchOrganization(
        switchRequest(cookies, { organizationId: beta.id }),
      );
      assertEquals(response.status, 303);
      assertEquals(
        response.headers.get("location"),
        `/sign-in?returnTo=%2Fdashboard&organizationId=${beta.id}`,
      );
      assertEquals(getSetCookie(response, "wos-session")?.attributes["max-age"] === "0", cleared);
    });
  }
  const malformed = await auth.switchOrganization(
    switchRequest([], { organizationId: "org_../../x" }),
  );
  assertEquals(malformed.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
  assertEquals(fake.calls.authenticate, []);
});

Deno.test("switchOrganization() maps WorkOS's answers: terminal signs out, re-authentication signs in to the organization, others keep the session", async (t) => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const html = () =>
    new Response("<html>502 Bad Gateway</html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
  const cases: {
    name: string;
    answer: () => Response | Promise<Response>;
    status: number;
    location?: string;
    cleared: boolean;
    code: string;
  }[] = [
    {
      name: "invalid_grant",
      answer: () => json(400, { error: "invalid_grant", error_description: "Already used." }),
      status: 303,
      location: "/sign-in?returnTo=%2Fdashboard",
      cleared: true,
      code: "refresh_rejected",
    },
    {
      name: 'S44 400 {"code":"invalid_grant"} (WorkOS-compatible servers)',
      answer: () => json(400, { code: "invalid_grant", message: "Already used." }),
      status: 303,
      location: "/sign-in?returnTo=%2Fdashboard",
      cleared: true,
      code: "refresh_rejected",
    },
    ...["sso_required", "mfa_enrollment", "organization_authentication_methods_required"].map(
      (code) => ({
        name: `403 {"code":"${code}"}`,
        answer: () =>
          json(403, { code, message: "Sign in again.", pending_authentication_token: "x" }),
        status: 303,
        location: `/sign-in?returnTo=%2Fdashboard&organizationId=${beta.id}`,
        cleared: false,
        code: "organization_reauthentication_required",
      }),
    ),
    {
      name: 'OAuth-style 400 {"error":"sso_required"}',
      answer: () => json(400, { error: "sso_required", error_description: "SSO." }),
      status: 303,
      location: `/sign-in?returnTo=%2Fdashboard&organizationId=${beta.id}`,
      cleared: false,
      code: "organization_reauthentication_required",
    },
    {
      name: "403 not a member (the membership list was stale)",
      answer: () => json(403, { code: "organization_membership_required", message: "No." }),
      status: 403,
      cleared: false,
      code: "organization_switch_refused",
    },
    {
      name: "500",
      answer: () => json(500, { message: "Internal" }),
      status: 502,
      cleared: false,
      code: "upstream_unavailable",
    },
    {
      name: "429",
      answer: () => json(429, { message: "Slow down" }),
      status: 502,
      cleared: false,
      code: "upstream_unavailable",
    },
    {
      name: "an HTML 502",
      answer: html,
      status: 502,
      cleared: false,
      code: "upstream_unavailable",
    },
    {
      name: "a hang",
      answer: never,
      status: 504,
      cleared: false,
      code: "upstream_timeout",
    },
    {
      name: "a token for another organization",
      answer: () => fake.successfulAuthentication({ org_id: acme.id }),
      status: 502,
      cleared: false,
      code: "upstream_invalid_response",
    },
    {
      name: "200 without tokens",
      answer: () => json(200, { user: {} }),
      status: 502,
      cleared: false,
      code: "upstream_invalid_response",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      // A fresh instance and session each: a refused token is remembered (S55), and an outage
      // opens the breaker (S45).
      const auth = createAuth(testConfig(), { upstreamTimeoutMs: 50, exchangeTimeoutMs: 50 });
      const cookie = await signedIn(auth, fake);
      fake.onAuthenticate = c.answer;
      logs.lines.length = 0;
      const response = await auth.switchOrganization(
        switchRequest([cookie], { organizationId: beta.id }),
      );
      await response.body?.cancel();
      assertEquals(response.status, c.status);
      if (c.location) assertEquals(response.headers.get("location"), c.location);
      const session = getSetCookie(response, "wos-session");
      assertEquals(session?.attributes["max-age"] === "0", c.cleared);
      if (!c.cleared) assertEquals(session, undefined, "the session is kept as it was");
      const failures = logs.lines.map((line) => JSON.parse(line))
        .filter((line) => line.event === "auth_failure");
      assertEquals(failures.map((line) => line.code), [c.code]);
    });
  }
  // Nothing secret reached the logs.
  for (const line of logs.lines) assert(!line.includes("refresh_"), line);
});

Deno.test("switchOrganization() shares one exchange among concurrent switches of one session to one organization", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cookie = await signedIn(auth, fake);
  const previous = fake.onAuthenticate;
  const gate = Promise.withResolvers<void>();
  fake.onAuthenticate = async (body) => {
    await gate.promise;
    return await previous(body);
  };
  const responses = Array.from(
    { length: 10 },
    () => auth.switchOrganization(switchRequest([cookie], { organizationId: beta.id })),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  gate.resolve();
  const settled = await Promise.all(responses);
  assert(settled.every((response) => response.status === 303));
  assertEquals(refreshCalls(fake).length, 1);
  // The same session switching to the other organization is another exchange.
  await auth.switchOrganization(switchRequest([cookie], { organizationId: acme.id }));
  assertEquals(refreshCalls(fake).length, 2);
});

Deno.test("viewOrganizations() caches memberships per user for 60 s, answers hits synchronously, and drops them on a switch", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const cookie = await signedIn(auth, fake);
  const session = await resolvedAuth(auth, cookie);
  const listCalls = () =>
    fake.apiCalls.filter((call) => call.startsWith("/user_management/")).length;

  const first = auth.viewOrganizations(session);
  assert(first instanceof Promise, "a miss fetches");
  const view = await first;
  assertEquals(view.organizations, [
    { id: acme.id, name: acme.name, role: "admin", current: true },
    { id: beta.id, name: beta.name, role: "member", current: false },
  ]);
  assertEquals(view.auth?.organizationName, acme.name);
  assertEquals(listCalls(), 1);
  assertStringIncludes(fake.apiCalls[0], `user_id=${USER.id}`);

  clock.advance(MEMBERSHIPS_TTL_MS / 1000 - 1);
  const hit = auth.viewOrganizations(session);
  assert(!(hit instanceof Promise), "a hit is synchronous");
  assertEquals((hit as OrganizationView).organizations, view.organizations);
  assertEquals(listCalls(), 1);

  clock.advance(2);
  await auth.viewOrganizations(session);
  assertEquals(listCalls(), 2, "expired after 60 s");

  await auth.switchOrganization(switchRequest([cookie], { organizationId: beta.id }));
  const afterSwitch = auth.viewOrganizations(session);
  assert(afterSwitch instanceof Promise, "dropped on a switch");
  await afterSwitch;
  assertEquals(listCalls(), 3);
});

Deno.test("S48 viewWithoutOrganizations() (organizations: false) gives a session one frozen view, and lists nothing", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const session = await resolvedAuth(auth, await signedIn(auth, fake));
  const calls = fake.apiCalls.length;
  const view = viewWithoutOrganizations(session);
  assertEquals(view.organizations, null);
  assertEquals(view.auth?.organizationName, null);
  assertEquals(view.auth?.user, session.user);
  assert(Object.isFrozen(view.auth), "page code cannot change what later requests see");
  assert(viewWithoutOrganizations(session) === view, "the same view for every request");
  assertEquals(fake.apiCalls.length, calls, "no memberships are listed");
  assertEquals(viewWithoutOrganizations(null), { auth: null, organizations: null });
});

Deno.test("viewOrganizations() fetches once for concurrent misses of one user", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const session = await resolvedAuth(auth, await signedIn(auth, fake));
  await Promise.all(Array.from({ length: 20 }, () => auth.viewOrganizations(session)));
  assertEquals(fake.apiCalls.filter((call) => call.startsWith("/user_management/")).length, 1);
});

Deno.test("viewOrganizations() survives a failed memberships fetch: no switcher, the code logged, retried after 10 s", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const session = await resolvedAuth(auth, await signedIn(auth, fake));
  fake.onMemberships = () => json(500, { message: "Internal" });

  const view = await auth.viewOrganizations(session);
  assertEquals(view.organizations, null);
  assertEquals(view.auth?.organizationName, null);
  assertEquals(view.auth?.organizationId, acme.id, "the page can still show the id");
  assertEquals(logs.lines.map((line) => JSON.parse(line).code), ["upstream_unavailable"]);

  assert(!(auth.viewOrganizations(session) instanceof Promise), "the failure is remembered");
  clock.advance(MEMBERSHIPS_FAILURE_TTL_MS / 1000 + 1);
  fake.onMemberships = (query) => membershipList(query.get("user_id")!, [acme]);
  assertEquals((await auth.viewOrganizations(session)).auth?.organizationName, acme.name);
});

Deno.test("viewOrganizations() shows the id when an organization's name cannot be read, and nothing when signed out", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const session = await resolvedAuth(auth, await signedIn(auth, fake));
  fake.onOrganization = (id) =>
    id === beta.id ? json(404, { code: "entity_not_found", message: "Gone" }) : json(500, {});
  const view = await auth.viewOrganizations(session);
  assertEquals(view.organizations?.map((o) => o.name), [null, null]);
  assertEquals(view.auth?.organizationName, null);
  assertEquals(auth.viewOrganizations(null), { auth: null, organizations: null });
});

Deno.test("S50 switchOrganization() refuses while memberships cannot be listed, keeping the session", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const cookie = await signedIn(auth, fake);
  fake.onMemberships = () => json(503, { message: "Unavailable" });
  const response = await auth.switchOrganization(
    switchRequest([cookie], { organizationId: beta.id }),
  );
  assertEquals(response.status, 502);
  assertEquals(response.headers.getSetCookie(), []);
  assertEquals(refreshCalls(fake), []);
});

Deno.test("viewOrganizations() renders without the switcher at the page deadline, and the late fetch still fills the cache", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig(), { membershipsDeadlineMs: 30 });
  const session = await resolvedAuth(auth, await signedIn(auth, fake));
  const answer = Promise.withResolvers<void>();
  const defaultAnswer = fake.onMemberships;
  fake.onMemberships = async (query) => {
    await answer.promise;
    return defaultAnswer(query);
  };

  const started = performance.now();
  const view = await auth.viewOrganizations(session);
  assert(performance.now() - started < 1_000, "the page did not wait for WorkOS");
  assertEquals(view.organizations, null);
  assertEquals(view.auth?.organizationId, acme.id);

  answer.resolve();
  let later = auth.viewOrganizations(session);
  for (let i = 0; i < 50 && later instanceof Promise; i++) {
    await later; // joins the same fetch: no second request
    later = auth.viewOrganizations(session);
  }
  assert(!(later instanceof Promise), "the late answer was cached");
  assertEquals(later.organizations?.length, 2);
  assertEquals(fake.apiCalls.filter((call) => call.startsWith("/user_management/")).length, 1);
  assertEquals(logs.lines, [], "a late answer is not a failure");
});
