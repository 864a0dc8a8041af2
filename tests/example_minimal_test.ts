/**
 * The second app, `examples/minimal`: a few files that add the integration by its package name,
 * protect a path of their own (`/account`) and use the components. Built by `deno task test`,
 * run as its own server against the stand-in, over HTTP and in Chromium.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { browserTest, saveScreenshot } from "./support/browser.ts";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { MINIMAL_EXAMPLE_ENTRY, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";
const example = { entry: MINIMAL_EXAMPLE_ENTRY };

Deno.test("minimal example: its own protected path sends a signed-out browser to sign in", async () => {
  await using stack = await startStack(example);
  const jar = new CookieJar();
  const account = await request(new URL("/account", stack.appUrl), jar);
  assertEquals(account.response.status, 302);
  assertEquals(account.response.headers.get("location"), "/sign-in?returnTo=%2Faccount");
  // Only what the example protects is guarded: this app's /dashboard is not a page there.
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(dashboard.response.status, 404);
  const home = await request(new URL("/", stack.appUrl), jar);
  assertEquals(home.response.status, 200);
  assertStringIncludes(home.body, 'href="/sign-in?returnTo=%2Faccount"', "SignInButton");
  assertEquals(/class="[^"]*authkit-user/.test(home.body), false, "no UserButton when signed out");
});

Deno.test("minimal example: sign-in lands on afterSignInPath and the page asks has()", async () => {
  await using stack = await startStack(example);
  const ada = new CookieJar();
  const callback = await signIn(stack, ada, { userId: ADA });
  assertEquals(callback.headers.get("location"), "/account", "afterSignInPath without returnTo");
  const adaAccount = await request(new URL("/account", stack.appUrl), ada);
  assertEquals(adaAccount.response.status, 200);
  assertStringIncludes(adaAccount.body, "ada@example.com");
  assertStringIncludes(adaAccount.body, 'id="admin"', "Ada is an admin: has({ role }) is true");

  const grace = new CookieJar();
  await signIn(stack, grace, { userId: GRACE });
  const graceAccount = await request(new URL("/account", stack.appUrl), grace);
  assertStringIncludes(graceAccount.body, "grace@example.com");
  assertEquals(graceAccount.body.includes('id="admin"'), false, "Grace is a member");
});

browserTest(
  "minimal example: sign in from its landing page, see the account page, sign out",
  async (page, stack) => {
    await page.goto(new URL("/", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click("a.authkit-sign-in")]);
    assertEquals(new URL(page.url()).origin, stack.standIn.url.origin, "on the stand-in");
    await Promise.all([
      page.waitForNavigation(),
      page.click(`#user-${ADA}`),
    ]);
    assertEquals(page.url(), new URL("/account", stack.appUrl).href);
    assertEquals(await page.$eval("#email", (element) => element.textContent), "ada@example.com");
    assertEquals(
      await page.$eval(".authkit-user .name", (element) => element.textContent),
      "Ada Lovelace",
    );
    await saveScreenshot(page, "minimal-account");

    await Promise.all([page.waitForNavigation(), page.click(".authkit-sign-out button")]);
    assertEquals(page.url(), new URL("/", stack.appUrl).href);
    assert(await page.$("a.authkit-sign-in"), "signed out again");
  },
  example,
);
