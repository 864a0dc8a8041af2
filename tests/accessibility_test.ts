/**
 * Other people's pages will carry the components: axe-core (npm) checks this app's pages and the
 * minimal example's, signed out and signed in, against WCAG 2.0/2.1 A and AA in Chromium.
 */
import { assertEquals } from "@std/assert";
import type { Page } from "puppeteer-core";
import { type AxeViolation, browserTest, findAccessibilityViolations } from "./support/browser.ts";
import { MINIMAL_EXAMPLE_ENTRY } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";

async function violationsOf(
  page: Page,
  url: URL,
  ready?: string,
): Promise<Record<string, AxeViolation[]>> {
  await page.goto(url.href);
  if (ready) await page.waitForFunction(ready); // checked as a person would see it
  const violations = await findAccessibilityViolations(page);
  return violations.length > 0 ? { [url.pathname]: violations } : {};
}

browserTest("accessibility: the check finds a violation planted in a page (control)", async (
  page,
  stack,
) => {
  await page.goto(new URL("/", stack.appUrl).href);
  // An image without alt text and a button without a name: two WCAG 2 A failures.
  await page.evaluate(`document.querySelector("main").insertAdjacentHTML("beforeend",
    '<img src="/favicon.svg"><button type="button"></button>')`);
  const ids = (await findAccessibilityViolations(page)).map((violation) => violation.id).sort();
  assertEquals(ids, ["button-name", "image-alt"]);
});

browserTest(
  "accessibility: this app's pages have no WCAG 2 A/AA violation",
  async (page, stack) => {
    const found = { ...await violationsOf(page, new URL("/", stack.appUrl)) };
    await page.goto(new URL("/dashboard", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click(`#user-${ADA}`)]);
    for (const path of ["/", "/dashboard", "/dashboard/settings"]) {
      Object.assign(found, await violationsOf(page, new URL(path, stack.appUrl)));
    }
    assertEquals(found, {});
  },
);

browserTest("accessibility: the error page and the impersonation banner pass too", async (
  page,
  stack,
) => {
  await page.goto(new URL("/sign-in", stack.appUrl).href);
  await Promise.all([page.waitForNavigation(), page.click("#cancel")]);
  const errorPage = await findAccessibilityViolations(page);
  await page.goto(new URL("/dashboard", stack.appUrl).href);
  // The seed's admin signed in as Grace: every page then carries the banner.
  await Promise.all([page.waitForNavigation(), page.click("#impersonation-0")]);
  assertEquals(await page.$$eval(".authkit-impersonation", (banners) => banners.length), 1);
  assertEquals({ errorPage, impersonation: await findAccessibilityViolations(page) }, {
    errorPage: [],
    impersonation: [],
  });
});

/** The minimal example's pages once `$auth` is known and the server island has arrived. */
const EXAMPLE_READY = `!document.getElementById("island-user")
  || (document.getElementById("island-user").textContent.startsWith("Island:")
    && !document.getElementById("island")?.textContent.includes("Loading"))`;

browserTest(
  "accessibility: the minimal example's pages have no WCAG 2 A/AA violation",
  async (page, stack) => {
    const found: Record<string, AxeViolation[]> = {};
    for (const path of ["/", "/about"]) {
      Object.assign(found, await violationsOf(page, new URL(path, stack.appUrl), EXAMPLE_READY));
    }
    await page.goto(new URL("/account", stack.appUrl).href);
    await Promise.all([page.waitForNavigation(), page.click(`#user-${ADA}`)]);
    for (const path of ["/", "/about", "/account"]) {
      const url = new URL(path, stack.appUrl);
      const violations = await violationsOf(page, url, EXAMPLE_READY);
      for (const [key, list] of Object.entries(violations)) found[`${key} signed in`] = list;
    }
    assertEquals(found, {});
  },
  { entry: MINIMAL_EXAMPLE_ENTRY },
);
