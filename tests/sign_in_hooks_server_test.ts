/**
 * The app's sign-in hooks on the built server (SECURITY-CASES S70): this app's
 * `src/auth-hooks.ts`, bundled through the integration's `hooks` option, refuses an uninvited
 * email in the callback before any cookie, and sees the sign-in link's custom `state`.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { completeAtStandIn, CookieJar, request } from "./support/http_client.ts";
import { type Stack, startStack } from "./support/stack.ts";

/** Follows `link` (a sign-in link of the app) through the stand-in as `choice`; the callback. */
async function signInFrom(
  stack: Stack,
  jar: CookieJar,
  link: string,
  choice: Record<string, string>,
) {
  const start = await request(new URL(link, stack.appUrl), jar);
  assertEquals(start.response.status, 302);
  const complete = await completeAtStandIn(
    new URL(start.response.headers.get("location")!),
    choice,
  );
  return await request(complete.headers.get("location")!, jar);
}

Deno.test("S70 built server: onSignIn refuses an uninvited email before any cookie, and the WorkOS session it began is ended", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const { response, body } = await signInFrom(stack, jar, "/sign-in", {
    email: "mallory@evil.test",
  });
  assertEquals(response.status, 403);
  assertStringIncludes(body, "Invitation needed");
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(jar.get("wos-session"), undefined, "no session cookie");
  assertEquals(jar.names().filter((name) => name.startsWith("wos-auth-state")), []);
  assertEquals(stack.standIn.activeSessions(), [], "the refused session was ended at WorkOS");
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(dashboard.response.status, 302, "still signed out");
});

Deno.test("S70 built server: the landing page's sign-in link carries state to onSignIn, and onSignOut hears the sign-out", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const home = await request(new URL("/", stack.appUrl), jar);
  const link = home.body.match(/href="(\/sign-in\?[^"]*state=home[^"]*)"/)?.[1];
  assert(link, "the landing page's SignInButton carries state=home");
  const callback = await signInFrom(stack, jar, link.replaceAll("&amp;", "&"), {
    user_id: "user_01ADA000000000000000000000",
  });
  assertEquals(callback.response.status, 302);
  assert(jar.get("wos-session"), "signed in");
  assertMatch(
    stack.logs(),
    /"event":"signed_in","userId":"user_01ADA0+","organizationId":"org_01EXAMPLE0+","via":"home"/,
  );
  const signOut = await request(new URL("/sign-out", stack.appUrl), jar, {
    method: "POST",
    headers: { origin: stack.appUrl.origin },
  });
  assertEquals(signOut.response.status, 302);
  const started = performance.now();
  while (!stack.logs().includes('"event":"signed_out"') && performance.now() - started < 3_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertStringIncludes(stack.logs(), '"event":"signed_out","userId":"user_01ADA');
});
