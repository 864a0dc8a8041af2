/**
 * The built server over HTTP against the AuthKit stand-in, for the limits of a session cookie:
 * a flood of suffixed copies of one valid cookie (S42) and a session too large for one cookie
 * (S43). Needs `deno task build` first.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { type FloodResult, floodWithSuffixes } from "./support/flood.ts";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
/** The stand-in's seeded user whose role carries 150 permissions of ~40 characters. */
const BARBARA = "user_01BARBARA00000000000000000";
const MAX_RSS_GROWTH_MIB = 64;

/** Asserts a flood answered no 5xx and grew the server by at most `MAX_RSS_GROWTH_MIB`. */
function assertBounded(flood: FloodResult): void {
  const errors = Object.entries(flood.statuses).filter(([status]) => Number(status) >= 500);
  assertEquals(errors, [], `statuses: ${JSON.stringify(flood.statuses)}`);
  assert(
    flood.rssGrowthMiB <= MAX_RSS_GROWTH_MIB,
    `RSS grew ${flood.rssGrowthMiB} MiB (${flood.rssBeforeMiB} → ${flood.rssAfterMiB}) for ` +
      `${flood.suffixBytes}-byte suffixes`,
  );
}

Deno.test("S42 built server: 3,000 requests with one valid cookie and distinct 30 KB suffixes grow RSS by at most 64 MiB, with no 5xx", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const dashboard = new URL("/dashboard", stack.appUrl);
  const seal = jar.get("wos-session")!;
  assertEquals((await request(dashboard, jar)).response.status, 200);

  // From a fresh server: the target as stated (answered 431 before Astro runs).
  assertBounded(await floodWithSuffixes(dashboard, stack.pid!, { seal, suffixBytes: 30_000 }));

  // Suffixes small enough to reach the middleware. Serve 1,000 ordinary page views first: V8
  // sizes its heap to the load (by ~100 MiB here, flood or not), and the question is what the
  // flood itself leaves behind.
  const views = await Promise.all(
    Array.from({ length: 16 }, async (_, worker) => {
      let ok = 0;
      for (let i = worker; i < 1_000; i += 16) {
        ok += (await request(dashboard, jar)).response.status === 200 ? 1 : 0;
      }
      return ok;
    }),
  );
  assertEquals(views.reduce((a, b) => a + b), 1_000);
  for (const suffixBytes of [20_000, 2_000]) {
    assertBounded(await floodWithSuffixes(dashboard, stack.pid!, { seal, suffixBytes }));
  }

  const after = await request(dashboard, jar);
  assertEquals(after.response.status, 200, "the plain cookie still works");
  assertStringIncludes(after.body, "Hello Ada Lovelace!");
  assert(!stack.logs().includes(seal.slice(0, 40)), "no cookie in the logs");
});

Deno.test("S43 built server: a user with 150 long permissions signs in, views pages, survives a refresh and signs out, in cookies of at most 4,000 bytes", async () => {
  // Tokens live 63 s and refresh 60 s before expiry: a refresh is due ~3 s after sign-in.
  await using stack = await startStack({ accessTokenTtlSeconds: 63 });
  const jar = new CookieJar();
  const callback = await signIn(stack, jar, { userId: BARBARA });
  assertEquals(callback.status, 302);
  const chunks = (response: Response) =>
    response.headers.getSetCookie().filter((c) => /^wos-session(\.\d+)?=[^;]/.test(c));
  const set = chunks(callback);
  assert(set.length > 1, `chunked: ${set.length} cookies`);
  for (const line of set) assert(new TextEncoder().encode(line).length <= 4_000, `${line.length}`);
  const held = () => jar.names().filter((name) => name.startsWith("wos-session"));
  assertEquals(held().length, set.length);

  const dashboard = new URL("/dashboard", stack.appUrl);
  const page = await request(dashboard, jar);
  assertEquals(page.response.status, 200);
  assertStringIncludes(page.body, "Hello Barbara Liskov!");
  assertStringIncludes(page.body, "release-approvals:export-every-record");
  assertEquals(page.response.headers.get("vary"), "Cookie", "S49");
  assertEquals(page.response.headers.get("cache-control"), "private, no-store", "S49");
  const me = await request(new URL("/api/me", stack.appUrl), jar, {
    headers: { accept: "application/json" },
  });
  assertEquals(JSON.parse(me.body).permissions.length, 150);

  const before = jar.get("wos-session");
  stack.standIn.resetCounts();
  await new Promise((resolve) => setTimeout(resolve, 3_200));
  const refreshed = await request(dashboard, jar);
  assertEquals(refreshed.response.status, 200);
  assertEquals(stack.standIn.counts().authenticate, 1, "refreshed once");
  assert(jar.get("wos-session") !== before, "re-sealed");
  assertEquals(held().length, set.length);
  assertStringIncludes((await request(dashboard, jar)).body, "Hello Barbara Liskov!");

  const signOut = await request(new URL("/sign-out", stack.appUrl), jar, {
    method: "POST",
    headers: { origin: stack.appUrl.origin },
  });
  assertEquals(signOut.response.status, 302);
  assertEquals(held(), [], "every chunk deleted");
  assertEquals((await request(dashboard, jar)).response.status, 302);
});
