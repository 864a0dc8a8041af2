/**
 * Organizations on the built server, against the local AuthKit stand-in: the dashboard's
 * switcher, `POST /auth/switch-organization` (S50, S51), and sign-in straight into an
 * organization.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { completeAtStandIn, CookieJar, request, signIn } from "./support/http_client.ts";
import { type Stack, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";
const ANALYTICAL = "org_01EXAMPLE00000000000000000";
const DIFFERENCE = "org_01DIFFERENCE00000000000000";

/** Posts the dashboard's switch form as a same-origin browser would (or from `origin`). */
function switchTo(
  stack: Stack,
  jar: CookieJar,
  organizationId: string,
  options: { origin?: string; returnTo?: string } = {},
) {
  const form = new URLSearchParams({ organizationId });
  if (options.returnTo !== undefined) form.set("returnTo", options.returnTo);
  return request(new URL("/auth/switch-organization", stack.appUrl), jar, {
    method: "POST",
    body: form,
    headers: {
      origin: options.origin ?? stack.appUrl.origin,
      "content-type": "application/x-www-form-urlencoded",
    },
  });
}

function dashboard(stack: Stack, jar: CookieJar) {
  return request(new URL("/dashboard", stack.appUrl), jar);
}

Deno.test("built server: the dashboard lists Ada's organizations, switches to the other and back", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });

  const before = await dashboard(stack, jar);
  assertEquals(before.response.status, 200);
  assertMatch(before.body, /<dd id="organization"[^>]*>\s*Analytical Engines Ltd/);
  assertStringIncludes(before.body, "Difference Engine Society");
  assertStringIncludes(before.body, `id="switch-${DIFFERENCE}"`);
  assertStringIncludes(before.body, "billing:manage");

  const switched = await switchTo(stack, jar, DIFFERENCE, { returnTo: "/dashboard/settings" });
  assertEquals(switched.response.status, 303);
  assertEquals(switched.response.headers.get("location"), "/dashboard/settings");
  assertEquals(switched.response.headers.get("cache-control"), "no-store");

  const after = await dashboard(stack, jar);
  assertMatch(after.body, /<dd id="organization"[^>]*>\s*Difference Engine Society/);
  assertStringIncludes(after.body, `id="switch-${ANALYTICAL}"`);
  assertEquals(after.body.includes("billing:manage"), false, "member: no billing permission");
  const me = JSON.parse(
    (await request(new URL("/api/me", stack.appUrl), jar, {
      headers: { accept: "application/json" },
    })).body,
  );
  assertEquals(
    [me.organizationId, me.organizationName, me.role],
    [DIFFERENCE, "Difference Engine Society", "member"],
  );

  const back = await switchTo(stack, jar, ANALYTICAL);
  assertEquals(back.response.headers.get("location"), "/dashboard");
  const again = await dashboard(stack, jar);
  assertMatch(again.body, /<dd id="organization"[^>]*>\s*Analytical Engines Ltd/);
  assertStringIncludes(again.body, "billing:manage");
});

Deno.test("S50 built server: a switch to an organization the user is not in is refused and changes nothing", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: GRACE });
  const sealed = jar.get("wos-session");
  await dashboard(stack, jar); // loads Grace's memberships
  stack.standIn.resetCounts();

  const refused = await switchTo(stack, jar, DIFFERENCE);
  assertEquals(refused.response.status, 400);
  assertStringIncludes(refused.body, "You are not a member of that organization.");
  assertEquals(refused.response.headers.getSetCookie(), []);
  assertEquals(jar.get("wos-session"), sealed);
  assertEquals(stack.standIn.counts().authenticate, 0, "no token request");

  const malformed = await switchTo(stack, jar, "org_<script>");
  assertEquals(malformed.response.status, 400);
  assertEquals(stack.standIn.counts().authenticate, 0);
  assertStringIncludes((await dashboard(stack, jar)).body, "Analytical Engines Ltd");
});

Deno.test("S51 built server: a cross-site switch gets 403 and nothing changes", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const sealed = jar.get("wos-session");
  stack.standIn.resetCounts();
  const { response } = await switchTo(stack, jar, DIFFERENCE, { origin: "https://evil.example" });
  assertEquals(response.status, 403);
  assertEquals(jar.get("wos-session"), sealed);
  assertEquals(stack.standIn.counts().authenticate, 0);
});

Deno.test("built server: a signed-out switch is sent to sign-in into that organization, not a 500", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const { response } = await switchTo(stack, jar, DIFFERENCE);
  assertEquals(response.status, 303);
  assertEquals(
    response.headers.get("location"),
    `/sign-in?returnTo=%2Fdashboard&organizationId=${DIFFERENCE}`,
  );
  // A reload of the switch URL (GET) lands on the dashboard, never a 404 or a 500.
  const get = await request(new URL("/auth/switch-organization", stack.appUrl), jar);
  assertEquals(get.response.status, 303);
  assertEquals(get.response.headers.get("location"), "/dashboard");
});

Deno.test("built server: /sign-in?organizationId=…&loginHint=… signs Ada straight into that organization", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const url = new URL("/sign-in", stack.appUrl);
  url.searchParams.set("organizationId", DIFFERENCE);
  url.searchParams.set("loginHint", "ada@example.com");
  const start = await request(url, jar);
  const authorizeUrl = new URL(start.response.headers.get("location")!);
  assertEquals(authorizeUrl.searchParams.get("organization_id"), DIFFERENCE);
  assertEquals(authorizeUrl.searchParams.get("login_hint"), "ada@example.com");

  // The stand-in's page offers only the organization's members, the hinted one first.
  const page = await (await fetch(authorizeUrl)).text();
  assertStringIncludes(page, "Difference Engine Society");
  assertEquals(page.includes(`id="user-${GRACE}"`), false, "Grace is not a member");
  assertMatch(page, new RegExp(`autofocus[^>]*id="user-${ADA}"`));

  const complete = await completeAtStandIn(authorizeUrl, { user_id: ADA });
  const callback = await request(complete.headers.get("location")!, jar);
  assertEquals(callback.response.status, 302);
  const body = (await dashboard(stack, jar)).body;
  assertMatch(body, /<dd id="organization"[^>]*>\s*Difference Engine Society/);
  assert(!body.includes("billing:manage"));
});

Deno.test("built server: when WorkOS cannot list memberships, the dashboard still renders with the organization id", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  stack.standIn.setFault("memberships", "error500");
  const page = await dashboard(stack, jar);
  assertEquals(page.response.status, 200);
  assertStringIncludes(page.body, "Hello Ada Lovelace!");
  assertMatch(page.body, new RegExp(`<dd id="organization"[^>]*>\\s*${ANALYTICAL}`));
  assertEquals(page.body.includes("Your organizations"), false, "no switcher");
  const logged = stack.logs().split("\n").filter((line) =>
    line.includes('"route":"organizations"')
  );
  assertEquals(logged.map((line) => JSON.parse(line).code), ["upstream_unavailable"]);
  assertEquals(logged.map((line) => JSON.parse(line).upstreamStatus), [500]);
});
