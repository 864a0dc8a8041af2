/**
 * A real sign-in in headless Chromium (Debian's package), against the built server and the local
 * AuthKit stand-in. Leaves `screenshots/dashboard.png` (git-ignored) for a person to look at.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { browserTest, SCREENSHOTS } from "./support/browser.ts";

browserTest("/dashboard → AuthKit sign-in page → pick a user → the dashboard greets them", async (
  page,
  stack,
) => {
  await page.goto(new URL("/dashboard", stack.appUrl).href);
  assertEquals(new URL(page.url()).origin, stack.standIn.url.origin, "on the stand-in");
  assertStringIncludes(await page.$eval("h1", (h1) => h1.textContent ?? ""), "Sign in to");

  await Promise.all([
    page.waitForNavigation(),
    page.click("#user-user_01ADA000000000000000000000"),
  ]);
  assertEquals(page.url(), new URL("/dashboard", stack.appUrl).href);
  assertEquals(await page.$eval("h1", (h1) => h1.textContent), "Hello Ada Lovelace!");

  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL("dashboard.png", SCREENSHOTS).pathname });

  // Signing out goes through WorkOS's logout and back to the landing page, signed out.
  await Promise.all([page.waitForNavigation(), page.click('main form[action="/sign-out"] button')]);
  assertEquals(page.url(), new URL("/", stack.appUrl).href);
  assertStringIncludes(await page.content(), 'href="/sign-in"');
});

browserTest("Cancel on the AuthKit page leads to a friendly page, not an error", async (
  page,
  stack,
) => {
  await page.goto(new URL("/sign-in", stack.appUrl).href);
  const [response] = await Promise.all([page.waitForNavigation(), page.click("#cancel")]);
  assertEquals(response?.status(), 400);
  assertEquals(await page.$eval("h1", (h1) => h1.textContent), "Sign-in needed");
  assertStringIncludes(await page.content(), "Sign-in was cancelled.");
  assertMatch(await page.$eval("a.button", (a) => a.getAttribute("href") ?? ""), /^\/sign-in$/);
});

browserTest(
  "Ada switches organization on the dashboard and back; each shows its name, role and permissions",
  async (
    page,
    stack,
  ) => {
    const analytical = "org_01EXAMPLE00000000000000000";
    const difference = "org_01DIFFERENCE00000000000000";
    const facts = () =>
      // innerText, unlike textContent, separates each <dt> from its <dd>.
      page.$eval(".facts", (dl) => (dl as unknown as { innerText: string }).innerText)
        .then((text) => text.replace(/\s+/g, " ").trim());
    const current = () =>
      page.$eval(".organizations li[aria-current] .org-name", (span) => span.textContent);

    await page.goto(new URL("/sign-in", stack.appUrl).href);
    await Promise.all([
      page.waitForNavigation(),
      page.click("#user-user_01ADA000000000000000000000"),
    ]);
    assertEquals(await current(), "Analytical Engines Ltd");
    assertStringIncludes(await facts(), "Organization Analytical Engines Ltd");
    assertStringIncludes(await facts(), "Role admin");
    assertStringIncludes(await facts(), "billing:manage");

    // A plain form POST: no JavaScript involved in the switch itself.
    await Promise.all([page.waitForNavigation(), page.click(`#switch-${difference}`)]);
    assertEquals(page.url(), new URL("/dashboard", stack.appUrl).href);
    assertEquals(await current(), "Difference Engine Society");
    assertStringIncludes(await facts(), "Organization Difference Engine Society");
    assertStringIncludes(await facts(), "Role member");
    assertEquals((await facts()).includes("billing:manage"), false);
    assertStringIncludes(await facts(), "posts:read");

    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("organizations.png", SCREENSHOTS).pathname });

    await Promise.all([page.waitForNavigation(), page.click(`#switch-${analytical}`)]);
    assertEquals(await current(), "Analytical Engines Ltd");
    assertStringIncludes(await facts(), "Role admin");
    assertStringIncludes(await facts(), "billing:manage");
  },
);

browserTest(
  "S43 a user with 150 long permissions signs in, views pages, survives a refresh and signs out, in cookies Chromium keeps",
  async (
    page,
    stack,
  ) => {
    // Chromium drops any cookie whose name and value exceed 4096 bytes: one unchunked cookie
    // would vanish, and the user would land back on sign-in.
    await page.goto(new URL("/", stack.appUrl).href);
    // A string, evaluated in the page: this file is type-checked without the DOM's types.
    const kept = await page.evaluate(`[4000, 4100].map((n) => {
      document.cookie = "probe" + n + "=" + "x".repeat(n) + "; path=/";
      const kept = document.cookie.includes("probe" + n + "=");
      document.cookie = "probe" + n + "=; max-age=0; path=/";
      return kept;
    })`);
    assertEquals(kept, [true, false], "control: this browser drops a cookie over 4096 bytes");
    await page.goto(new URL("/dashboard", stack.appUrl).href);
    await Promise.all([
      page.waitForNavigation(),
      page.click("#user-user_01BARBARA00000000000000000"),
    ]);
    assertEquals(page.url(), new URL("/dashboard", stack.appUrl).href);
    assertEquals(await page.$eval("h1", (h1) => h1.textContent), "Hello Barbara Liskov!");
    assertEquals(await page.$$eval(".tags li", (items) => items.length), 150);
    const sessionCookies = async () =>
      (await page.cookies()).filter((c) => /^wos-session(\.\d+)?$/.test(c.name));
    const chunks = await sessionCookies();
    assert(chunks.length >= 4, `${chunks.length} session cookies kept`);

    // Tokens live 63 s and refresh 60 s before expiry: by now the next view refreshes.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    await page.goto(new URL("/dashboard/settings", stack.appUrl).href);
    assertEquals(page.url(), new URL("/dashboard/settings", stack.appUrl).href);
    await page.goto(new URL("/dashboard", stack.appUrl).href);
    assertEquals(await page.$eval("h1", (h1) => h1.textContent), "Hello Barbara Liskov!");
    const refreshed = await sessionCookies();
    assertEquals(refreshed.length, chunks.length);
    assert(refreshed[0].value !== chunks[0].value, "re-sealed after the refresh");
    assert(stack.standIn.counts().authenticate >= 2, "the code exchange and a refresh");

    await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
    assertEquals(page.url(), new URL("/", stack.appUrl).href);
    assertEquals(await sessionCookies(), [], "every chunk cleared");
  },
  { accessTokenTtlSeconds: 63 },
);
