/**
 * Step-up, the access-token button and "your sessions" in headless Chromium, against the built
 * server and the local AuthKit stand-in (S59, S60, S61). Leaves `screenshots/sessions.png` and
 * `screenshots/security.png` (git-ignored) for a person to look at.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Page } from "puppeteer-core";
import { browserTest, SCREENSHOTS } from "./support/browser.ts";

const ADA = "user_01ADA000000000000000000000";
const KATHERINE = "user_01KATHERINE000000000000000";

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? "");

async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage: true });
}

browserTest(
  "S59 Katherine, last signed in an hour ago, opens Security: AuthKit asks again, then she is back on it",
  async (page, stack) => {
    const security = new URL("/dashboard/settings/security", stack.appUrl).href;
    await page.goto(new URL("/dashboard/settings", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click(`#user-${KATHERINE}`)]);
    assertEquals(page.url(), new URL("/dashboard/settings", stack.appUrl).href);

    // Her session is an hour old: following the link sends her to AuthKit with max_age=300.
    await Promise.all([page.waitForNavigation(), page.click("#link-security")]);
    const authorize = new URL(page.url());
    assertEquals(authorize.origin, stack.standIn.url.origin);
    assertEquals(authorize.searchParams.get("max_age"), "300");
    assertStringIncludes(await text(page, "#reauthenticate"), "max_age=300");

    await Promise.all([page.waitForNavigation(), page.click(`#user-${KATHERINE}`)]);
    assertEquals(page.url(), security, "back on the page that asked");
    assertEquals(await text(page, "h1"), "Security");
    await Promise.all([page.waitForNavigation(), page.click("#reset-demo")]);
    assertEquals(page.url(), security);
    assertStringIncludes(await text(page, "#confirmation"), "Demo preferences reset");
    await screenshot(page, "security.png");
  },
);

browserTest(
  "S60 S61 Ada calls the API with her access token, sees both her browsers, and signs the other one out",
  async (page, stack, browser) => {
    await page.goto(new URL("/dashboard", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click(`#user-${ADA}`)]);
    const html = await page.content();

    // The dashboard's button: the token is fetched at click time, then sent as a bearer token.
    await page.click("#call-api");
    await page.waitForFunction(
      `document.getElementById("api-answer").textContent.startsWith("HTTP")`,
    );
    const answer = await text(page, "#api-answer");
    assertStringIncludes(answer, "HTTP 200");
    const me = JSON.parse(answer.slice(answer.indexOf("\n") + 1));
    assertEquals([me.credential, me.userId, me.role], ["bearer", ADA, "admin"]);
    const token = await page.evaluate(
      `fetch("/auth/access-token").then((r) => r.json()).then((b) => b.accessToken)`,
    ) as string;
    assert(token.length > 100);
    assertEquals(html.includes(token), false, "the token is not in the page");

    // A second browser (its own cookie jar) signs Ada in too.
    const other = await browser.createBrowserContext();
    const otherPage = await other.newPage();
    await otherPage.setUserAgent(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/605.1",
    );
    await otherPage.goto(new URL("/dashboard", stack.appUrl).href);
    await Promise.all([otherPage.waitForNavigation(), otherPage.click(`#user-${ADA}`)]);
    assertEquals(await text(otherPage, "h1"), "Hello Ada Lovelace!");

    await page.goto(new URL("/dashboard/settings", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click("#link-sessions")]);
    assertEquals(await page.$$eval(".sessions > li", (items) => items.length), 2);
    assertStringIncludes(await text(page, ".sessions li[aria-current]"), "This browser");
    assertStringIncludes(await text(page, ".sessions li:not([aria-current])"), "Safari on iOS");
    await page.setViewport({ width: 1000, height: 560 });
    await screenshot(page, "sessions.png");

    const revoke = await page.$(".sessions li:not([aria-current]) button");
    assert(revoke, "the other session has its own Sign out button");
    await Promise.all([page.waitForNavigation(), revoke.click()]);
    assertEquals(page.url(), new URL("/dashboard/sessions", stack.appUrl).href);
    assertEquals(await page.$$eval(".sessions > li", (items) => items.length), 1);

    // The other browser is signed out: its next page goes to sign-in.
    await otherPage.goto(new URL("/dashboard", stack.appUrl).href);
    assertEquals(new URL(otherPage.url()).origin, stack.standIn.url.origin);
    await other.close();
  },
);
