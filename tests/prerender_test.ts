/**
 * S65: prerendered pages. The fixture app (`tests/fixtures/prerender`) has a prerendered page at
 * `/members/about`, a prerendered dynamic route under `/docs`, and `/islands`, a prerendered page
 * with every component as a server island; each test builds it with a
 * cleared environment (no `WORKOS_*` variable, as on a build server) and chooses the protected
 * prefix through `FIXTURE_PROTECTED`.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Stack } from "./support/stack.ts";
import { fileURLToPath } from "node:url";
import { runBuild } from "./support/built_server.ts";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { startStack } from "./support/stack.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/prerender/", import.meta.url));
const ADA = "user_01ADA000000000000000000000";

/** Builds the fixture with `protectedPrefix` into a temporary folder, removed on dispose. */
async function buildFixture(protectedPrefix: string) {
  const outDir = await Deno.makeTempDir({ prefix: "dist-prerender-" });
  const result = await runBuild(outDir, { FIXTURE_PROTECTED: protectedPrefix }, FIXTURE);
  return {
    ...result,
    entry: new URL(`file://${outDir}/server/entry.mjs`),
    async [Symbol.asyncDispose]() {
      await Deno.remove(outDir, { recursive: true });
    },
  };
}

Deno.test("S65 prerendered pages build with no WORKOS_* variable and are served at their own URL", async () => {
  await using build = await buildFixture("/account");
  assert(build.ok, build.output);
  await using stack = await startStack({ entry: build.entry });
  const jar = new CookieJar();
  for (const path of ["/members/about", "/members/about/", "/docs/intro"]) {
    const { response, body } = await request(new URL(path, stack.appUrl), jar);
    assertEquals(response.status, 200, path);
    assertEquals(response.headers.get("content-type"), "text/html; charset=UTF-8", path);
    assert(body.includes("About the members") || body.includes("Docs: intro"), path);
  }
  assertEquals((await request(new URL("/members/nope", stack.appUrl), jar)).response.status, 404);

  // Signed in, the same file: a static page knows nobody and sets nothing.
  const signedOut = (await request(new URL("/members/about", stack.appUrl), jar)).body;
  await signIn(stack, jar, { userId: ADA });
  const signedIn = await request(new URL("/members/about", stack.appUrl), jar);
  assertEquals(signedIn.body, signedOut);
  assertEquals(signedIn.response.headers.getSetCookie(), []);
});

Deno.test("S65 a prerendered page under a protected prefix fails the build, naming page and prefix", async () => {
  // Any spelling the guard would protect: the prefix is case-folded like request paths.
  await using build = await buildFixture("/Members");
  assertEquals(build.ok, false);
  assertStringIncludes(
    build.output,
    'src/pages/members/about.astro (/members/about) is prerendered under the protected prefix "/members"',
  );
});

Deno.test("S65 a dynamic prerendered route's page under a protected prefix fails the build too", async () => {
  // `/docs/[...slug]` is not under `/docs/private`; one of the pages it generates is.
  await using build = await buildFixture("/docs/private");
  assertEquals(build.ok, false);
  assertStringIncludes(
    build.output,
    '/docs/private/notes/index.html is a static file under the protected prefix "/docs/private"',
  );
  assertEquals(build.output.includes("/docs/intro/index.html is a static"), false, "only that one");
});

/**
 * The components of `islands.astro`, in page order. Astro names every island of one module after
 * its first export (`/_server-islands/SignedIn?e=…`, the export itself encrypted in `e`), so the
 * page's order tells them apart.
 */
const ISLANDS = [
  "SignedIn",
  "SignedOut",
  "Protect",
  "UserButton",
  "OrganizationSwitcher",
  "ImpersonationBanner",
  "SignInButton",
  "SignOutButton",
];

/** Each server island's URL on `page`, by component (`ISLANDS`). */
function islandsOf(page: string, appUrl: URL): Map<string, URL> {
  const urls = [...page.matchAll(/fetch\("(\/_server-islands\/[^"]*)"/g)].map(([, path]) =>
    new URL(path, appUrl)
  );
  assertEquals(urls.length, ISLANDS.length, "one island per component");
  return new Map(urls.map((url, index) => [ISLANDS[index], url]));
}

async function islandBodies(stack: Stack, jar: CookieJar): Promise<Record<string, string>> {
  const page = (await request(new URL("/islands", stack.appUrl), jar)).body;
  const bodies: Record<string, string> = {};
  for (const [name, url] of islandsOf(page, stack.appUrl)) {
    const { response, body } = await request(url, jar);
    assertEquals(response.status, 200, name);
    assertEquals(response.headers.get("cache-control"), "private, no-store", name);
    assertStringIncludes(response.headers.get("vary") ?? "", "Cookie", name);
    bodies[name] = body;
  }
  return bodies;
}

Deno.test("every component works as a server island on a prerendered page, by the visitor's cookie", async () => {
  await using build = await buildFixture("/account");
  assert(build.ok, build.output);
  await using stack = await startStack({ entry: build.entry });
  const jar = new CookieJar();
  const anonymous = await islandBodies(stack, jar);
  await signIn(stack, jar, { userId: ADA });
  const ada = await islandBodies(stack, jar);
  const shows = (bodies: Record<string, string>, name: string, marker: string) =>
    bodies[name].includes(marker);
  const expectations: [string, string, boolean, boolean][] = [
    // component, marker, shown signed out, shown to Ada (an admin of her organization)
    ["SignedIn", "island-signed-in", false, true],
    ["SignedOut", "island-signed-out", true, false],
    ["Protect", "island-admin", false, true],
    ["UserButton", "Ada Lovelace", false, true],
    ["OrganizationSwitcher", "Difference Engine Society", false, true],
    ["ImpersonationBanner", "authkit-impersonation", false, false],
    ["SignInButton", 'class="authkit-sign-in"', true, true],
    ["SignOutButton", 'action="/sign-out"', true, true],
  ];
  for (const [name, marker, signedOut, signedIn] of expectations) {
    assertEquals(shows(anonymous, name, marker), signedOut, `${name} signed out`);
    assertEquals(shows(ada, name, marker), signedIn, `${name} as Ada`);
  }
});
