/**
 * Checks in pages, actions and components, on the built app: `<Protect permission=…>` in
 * Chromium (a member sees its fallback, an admin its content), and the `exportInvoices` action,
 * whose `requireActionAuth` throws Astro's own `ActionError` (UNAUTHORIZED / FORBIDDEN) before
 * its handler does anything, whether called from the page's form or as an RPC.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { browserTest, saveScreenshot } from "./support/browser.ts";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000"; // admin of Analytical Engines: billing:manage
const GRACE = "user_01GRACE0000000000000000000"; // member there: posts:read only

browserTest(
  '<Protect permission="billing:manage">: a member sees its fallback, an admin its content and runs the action',
  async (page, stack) => {
    const signInAs = async (userId: string) => {
      await page.goto(new URL("/dashboard", stack.appUrl).href);
      await Promise.all([page.waitForNavigation(), page.click(`#user-${userId}`)]);
      assertEquals(page.url(), new URL("/dashboard", stack.appUrl).href);
    };
    const text = (selector: string) => page.$eval(selector, (element) => element.textContent);

    await signInAs(GRACE);
    assertStringIncludes(
      await text("#billing-fallback") ?? "",
      "managed by your organization's admins",
    );
    assertEquals(await page.$("#billing-manage"), null, "no billing form for a member");
    await saveScreenshot(page, "protect-member");
    await Promise.all([
      page.waitForNavigation(),
      page.click('main form[action="/sign-out"] button'),
    ]);

    await signInAs(ADA);
    assertEquals(await page.$("#billing-fallback"), null, "no fallback for an admin");
    await Promise.all([page.waitForNavigation(), page.click("#billing-manage button")]);
    assertEquals(await text("#billing-exported"), "Export requested by ada@example.com.");
    await saveScreenshot(page, "protect-admin");
  },
);

Deno.test("built server: the exportInvoices action refuses a signed-out caller (401) and a member (403), runs for an admin", async () => {
  await using stack = await startStack();
  const grace = new CookieJar();
  await signIn(stack, grace, { userId: GRACE });
  const ada = new CookieJar();
  await signIn(stack, ada, { userId: ADA });
  const call = (jar: CookieJar) =>
    request(new URL("/_actions/exportInvoices", stack.appUrl), jar, {
      method: "POST",
      body: new FormData(),
      headers: { origin: stack.appUrl.origin, accept: "application/json" },
    });

  const signedOut = await call(new CookieJar());
  assertEquals(signedOut.response.status, 401);
  assertEquals(JSON.parse(signedOut.body).code, "UNAUTHORIZED");
  const member = await call(grace);
  assertEquals(member.response.status, 403);
  assertEquals(JSON.parse(member.body).code, "FORBIDDEN");
  assertEquals(member.body.includes("grace@example.com"), false, "the handler never ran");
  const admin = await call(ada);
  assertEquals(admin.response.status, 200);
  assertStringIncludes(admin.body, "ada@example.com");

  // The page's own form, posted by a member who crafted it: refused, nothing reported done.
  const forged = await request(new URL("/dashboard?_action=exportInvoices", stack.appUrl), grace, {
    method: "POST",
    body: new FormData(),
    headers: { origin: stack.appUrl.origin },
  });
  assertEquals(forged.response.status, 403);
  assert(!forged.body.includes("billing-exported"), "no export reported");
  assertStringIncludes(forged.body, 'id="billing-fallback"');
});
