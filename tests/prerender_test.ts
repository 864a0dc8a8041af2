/**
 * S65: prerendered pages. The fixture app (`tests/fixtures/prerender`) has a prerendered page at
 * `/members/about` and a prerendered dynamic route under `/docs`; each test builds it with a
 * cleared environment (no `WORKOS_*` variable, as on a build server) and chooses the protected
 * prefix through `FIXTURE_PROTECTED`.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
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
