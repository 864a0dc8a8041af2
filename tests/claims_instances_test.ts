/**
 * Claims that follow a role change (SECURITY-CASES S69), the way Deno Deploy runs the app: two
 * built servers sharing one Deno KV file, against the stand-in, whose admin changes a role or
 * removes a member and sends the membership webhook to instance a.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { type Instances, type Stack, startInstances } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";
const ORG = "org_01EXAMPLE00000000000000000";

/** The role the dashboard shows on `instance` for `jar`'s session. */
async function dashboardRole(instance: Stack, jar: CookieJar): Promise<string> {
  const { response, body } = await request(new URL("/dashboard", instance.appUrl), jar);
  assertEquals(response.status, 200);
  return body.match(/<dt[^>]*>Role<\/dt>\s*<dd[^>]*>([^<]*)<\/dd>/)?.[1] ?? "";
}

/** A second jar holding the same session cookie. */
function copyOf(jar: CookieJar): CookieJar {
  const copy = new CookieJar();
  for (const name of jar.names()) copy.set(name, jar.get(name)!);
  return copy;
}

/** Shared-state reads and writes of both instances, from `/healthz` (polls not counted). */
async function kvOps(pair: Instances): Promise<number> {
  let total = 0;
  for (const instance of [pair.a, pair.b]) {
    const { body } = await request(new URL("/healthz", instance.appUrl), new CookieJar());
    const { sharedStateOps } = JSON.parse(body);
    total += sharedStateOps.reads + sharedStateOps.writes;
  }
  return total;
}

Deno.test("S69 built servers: a role change at the stand-in shows on both instances' dashboards within 3 s, with no sign-in; other users' views cost nothing", async () => {
  await using pair = await startInstances();
  const grace = new CookieJar();
  const ada = new CookieJar();
  await signIn(pair.a, grace, { userId: GRACE });
  await signIn(pair.a, ada, { userId: ADA });
  for (const instance of [pair.a, pair.b]) {
    assertEquals(await dashboardRole(instance, grace), "member");
    assertEquals(await dashboardRole(instance, ada), "admin");
  }
  // Each instance keeps its own copy of Grace's cookie (two tabs, or a cookie replayed before
  // the browser stored the new one): b holds the old session in its cache and must learn of the
  // change itself, through the feed in KV.
  const jars = new Map([pair.a, pair.b].map((instance) => [instance, copyOf(grace)]));
  pair.standIn.resetCounts();
  assert(await pair.standIn.changeRole(GRACE, ORG, "admin")); // an admin, in the dashboard
  const started = performance.now();
  const pending = new Set([pair.a, pair.b]);
  while (pending.size > 0 && performance.now() - started < 3_000) {
    for (const instance of [...pending]) {
      if (await dashboardRole(instance, jars.get(instance)!) === "admin") pending.delete(instance);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals([...pending].map((s) => s.appUrl.port), [], "the new role on both within 3 s");
  console.log(
    `  the new role on both instances ${Math.round(performance.now() - started)} ms after`,
  );
  const counts = pair.standIn.counts();
  assertEquals(counts.authorize, 0, "no sign-in");
  assertEquals(counts.authenticate, 1, "one refresh of Grace's session, shared by both");
  assertEquals(jars.get(pair.a)!.get("wos-session"), jars.get(pair.b)!.get("wos-session"));
  assertEquals(pair.standIn.webhookDeliveries(), { sent: 1, accepted: 1 });
  // The switcher's list was dropped too: the role in it is the new one.
  const { body } = await request(new URL("/dashboard", pair.b.appUrl), jars.get(pair.b)!);
  assertMatch(body, /admin/);

  // Everyone else: cached views, no WorkOS call, no KV read or write.
  await new Promise((resolve) => setTimeout(resolve, 1_200)); // past a poll on each instance
  pair.standIn.resetCounts();
  const before = await kvOps(pair);
  for (let i = 0; i < 10; i++) {
    for (const instance of [pair.a, pair.b]) {
      assertEquals(await dashboardRole(instance, ada), "admin");
      assertEquals(await dashboardRole(instance, jars.get(instance)!), "admin");
    }
  }
  assertEquals(Object.values(pair.standIn.counts()).reduce((a, b) => a + b, 0), 0);
  assertEquals(await kvOps(pair) - before, 0, "no KV read or write (the feed polls aside)");
});

Deno.test("S69 built servers: a member removed from the session's organization is no longer served it, on either instance", async () => {
  await using pair = await startInstances();
  const ada = new CookieJar();
  await signIn(pair.a, ada, { userId: ADA });
  const jars = new Map<Stack, CookieJar>();
  const organization = async (instance: Stack) => {
    const jar = jars.get(instance) ?? ada;
    const { response, body } = await request(new URL("/api/me", instance.appUrl), jar, {
      headers: { accept: "application/json" },
    });
    assertEquals(response.status, 200);
    return JSON.parse(body).organizationId as string | null;
  };
  for (const instance of [pair.a, pair.b]) assertEquals(await organization(instance), ORG);
  // Each instance with its own copy of the cookie: b learns of the removal itself.
  for (const instance of [pair.a, pair.b]) jars.set(instance, copyOf(ada));
  assert(await pair.standIn.removeMember(ADA, ORG));
  const started = performance.now();
  const seen: (string | null)[] = [];
  while (performance.now() - started < 3_000) {
    const now = await Promise.all([organization(pair.a), organization(pair.b)]);
    seen.push(...now);
    if (now.every((id) => id !== ORG)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const last = seen.slice(-2);
  assertEquals(last, ["org_01DIFFERENCE00000000000000", "org_01DIFFERENCE00000000000000"]);
  // Once out, never back in: later requests on both stay outside it.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  for (const instance of [pair.a, pair.b]) {
    assertEquals(await organization(instance), "org_01DIFFERENCE00000000000000");
  }
  const { body } = await request(new URL("/dashboard", pair.b.appUrl), jars.get(pair.b)!);
  assert(!body.includes("Analytical Engines Ltd"), "nor listed in the switcher");
});
