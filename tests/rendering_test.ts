/**
 * Astro's rendering model on the minimal example's built server (`deno task build:example`):
 * `<AuthState />` on a server-rendered page, the prerendered `/about`, its server island
 * (`server:defer`), and the state route `$auth` asks (S65, S66).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { MINIMAL_EXAMPLE_ENTRY, startStack } from "./support/stack.ts";
import { loadSeed } from "../packages/authkit-astro-deno/src/dev/standin/seed.ts";

const ADA = "user_01ADA000000000000000000000";
const example = { entry: MINIMAL_EXAMPLE_ENTRY };
const SAME_ORIGIN = { "sec-fetch-site": "same-origin" };

/** The JSON `<AuthState />` wrote, read the way the HTML parser ends the element. */
function authStateOf(html: string): unknown {
  const match = /<script type="application\/json" id="authkit-state">(.*?)<\/script>/s.exec(html);
  return match ? JSON.parse(match[1]) : undefined;
}

/** The server island's URL in the prerendered page (Astro's `/_server-islands/…`). */
function islandUrlOf(html: string, appUrl: URL): URL {
  const href = /href="(\/_server-islands\/UserButton[^"]*)"/.exec(html)?.[1];
  assert(href, "the page preloads its server island");
  return new URL(href.replaceAll("&amp;", "&"), appUrl);
}

Deno.test("S66 a server-rendered page carries <AuthState /> with the public state, no token", async () => {
  await using stack = await startStack(example);
  const jar = new CookieJar();
  assertEquals(authStateOf((await request(new URL("/", stack.appUrl), jar)).body), null);
  await signIn(stack, jar, { userId: ADA });
  const { body } = await request(new URL("/", stack.appUrl), jar);
  const state = authStateOf(body) as { user: { email: string }; role: string };
  assertEquals(state.user.email, "ada@example.com");
  assertEquals(state.role, "admin");
  const token = await request(new URL("/auth/access-token", stack.appUrl), jar, {
    headers: SAME_ORIGIN,
  });
  const { accessToken } = JSON.parse(token.body);
  assert(accessToken.length > 100);
  assertEquals(body.includes(accessToken), false, "no access token in the page");
  assertEquals(body.includes(jar.get("wos-session")!), false, "no seal in the page");
  // The components render on the server here: no script of theirs is loaded.
  assertEquals(body.includes("Resolve.astro"), false);
});

Deno.test("S65 the prerendered page is one file for everyone: no user data, both branches hidden", async () => {
  await using stack = await startStack(example);
  const jar = new CookieJar();
  const signedOut = await request(new URL("/about", stack.appUrl), jar);
  assertEquals(signedOut.response.status, 200);
  await signIn(stack, jar, { userId: ADA });
  const signedIn = await request(new URL("/about", stack.appUrl), jar);
  assertEquals(signedIn.body, signedOut.body);
  assertEquals(signedIn.response.headers.getSetCookie(), []);
  for (const personal of ["ada@example.com", "Lovelace", "Analytical", ADA]) {
    assertEquals(signedIn.body.includes(personal), false, personal);
  }
  assertEquals(authStateOf(signedIn.body), undefined, "no <AuthState /> data in a static file");
  const variants = signedIn.body.match(/<[^>]+data-authkit="[^"]+"[^>]*>/g) ?? [];
  assertEquals(
    variants.length,
    6,
    "SignedOut, SignedIn, UserButton, OrganizationSwitcher, Protect",
  );
  for (const tag of variants) assert(/\shidden[\s=>]/.test(tag), tag);
  assertStringIncludes(signedIn.body, "Resolve.astro", "the browser half is loaded");
});

Deno.test("server island: signed in by the cookie, refreshed, and every answer private, Vary: Cookie", async () => {
  // A 30 s token is inside the 60 s refresh margin: every request refreshes it.
  await using stack = await startStack({ ...example, accessTokenTtlSeconds: 30 });
  const jar = new CookieJar();
  const island = islandUrlOf(
    (await request(new URL("/about", stack.appUrl), jar)).body,
    stack.appUrl,
  );
  const anonymous = await request(island, jar);
  assertEquals(anonymous.response.status, 200);
  assertEquals(anonymous.body.includes("authkit-user"), false, "nobody signed in");
  await signIn(stack, jar, { userId: ADA });
  const seal = jar.get("wos-session");
  const signedIn = await request(island, jar);
  assertEquals(signedIn.response.status, 200);
  assertStringIncludes(signedIn.body, "Ada Lovelace");
  assert(jar.get("wos-session") !== seal, "the island's request refreshed the session");
  for (const { response } of [anonymous, signedIn]) {
    assertEquals(response.headers.get("cache-control"), "private, no-store");
    assertStringIncludes(response.headers.get("vary") ?? "", "Cookie");
  }
});

Deno.test("S66 the state route on the built server: this origin's pages only, never cached", async () => {
  await using stack = await startStack(example);
  const jar = new CookieJar();
  const url = new URL("/auth/state", stack.appUrl);
  assertEquals(JSON.parse((await request(url, jar, { headers: SAME_ORIGIN })).body), {
    auth: null,
  });
  await signIn(stack, jar, { userId: ADA });
  const same = await request(url, jar, { headers: SAME_ORIGIN });
  assertEquals(same.response.status, 200);
  assertEquals(JSON.parse(same.body).auth.user.email, "ada@example.com");
  assertEquals(same.response.headers.get("cache-control"), "private, no-store");
  assertStringIncludes(same.response.headers.get("vary") ?? "", "Cookie");
  const cross = await request(url, jar, { headers: { "sec-fetch-site": "cross-site" } });
  assertEquals([cross.response.status, cross.body], [403, '{"error":"forbidden"}']);
  assertEquals((await request(url, jar)).response.status, 403, "a request that says nothing");
});

Deno.test("S66 a hostile name stays data in <AuthState />", async () => {
  const seed = await loadSeed();
  const hostile = {
    firstName: "</script><script>alert(1)</script>",
    lastName: "<!--\u2028\u2029-->",
  };
  seed.users = seed.users.map((user) => (user.id === ADA ? { ...user, ...hostile } : user));
  await using stack = await startStack({ ...example, seed });
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const { body } = await request(new URL("/", stack.appUrl), jar);
  const state = authStateOf(body) as { user: typeof hostile };
  assertEquals({ firstName: state.user.firstName, lastName: state.user.lastName }, hostile);
  assertEquals(body.includes("<script>alert(1)"), false, "escaped everywhere on the page");
});
