/**
 * The rendering model in Chromium, on the minimal example's built server: islands that know the
 * user (`$auth`), the prerendered `/about`, its server island and `<ClientRouter />` (S65, S66).
 * Page code runs as strings: this file is type-checked without the DOM's types.
 */
import { assert, assertEquals } from "@std/assert";
import type { HTTPRequest, Page } from "puppeteer-core";
import { browserTest, saveScreenshot } from "./support/browser.ts";
import { MINIMAL_EXAMPLE_ENTRY } from "./support/stack.ts";
import type { Stack } from "./support/stack.ts";
import { loadSeed } from "../packages/authkit-astro-deno/src/dev/standin/seed.ts";

const ADA = "user_01ADA000000000000000000000";
const DIFFERENCE = "org_01DIFFERENCE00000000000000";
const example = { entry: MINIMAL_EXAMPLE_ENTRY };
const HOSTILE_NAME = "</script><script>alert(1)</script> <!--";
const ADA_ISLAND = "Island: ada@example.com (admin) in Analytical Engines Ltd.";

async function signInAsAda(page: Page, stack: Stack): Promise<void> {
  await page.goto(new URL("/account", stack.appUrl).href);
  await Promise.all([page.waitForNavigation(), page.click(`#user-${ADA}`)]);
  assertEquals(new URL(page.url()).pathname, "/account");
}

/** Paths of the state route's requests from now on. */
function countStateRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/auth/state") seen.push(request.url());
  });
  return seen;
}

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent);
const visible = (page: Page, selector: string) =>
  page.$eval(
    selector,
    (element) => (element as unknown as { checkVisibility(): boolean }).checkVisibility(),
  );

/**
 * Follows the nav link to `path` through `<ClientRouter />`, until its view transition is over
 * (during one, the page's snapshot takes the clicks).
 */
async function navigateWithRouter(page: Page, path: string): Promise<void> {
  await page.click(`nav a[href="${path}"]`);
  await page.waitForFunction(`location.pathname === ${JSON.stringify(path)}
    && !document.documentElement.hasAttribute("data-astro-transition")`);
}

/** Waits until the island and the plain script have both resolved `$auth`. */
async function waitForResolved(page: Page): Promise<void> {
  await page.waitForFunction(
    `document.getElementById("island-user")?.textContent.startsWith("Island:")
    && document.getElementById("script-user")?.textContent !== "Script: …"`,
  );
}

browserTest(
  "S66 a server-rendered page: the island shows the user at its first paint, no state request",
  async (page, stack) => {
    await signInAsAda(page, stack);
    const stateRequests = countStateRequests(page);
    // Every text the island ever shows, recorded from before the page's first byte.
    await page.evaluateOnNewDocument(`window.islandTexts = [];
    new MutationObserver(() => {
      const text = document.getElementById("island-user")?.textContent;
      if (text !== undefined && window.islandTexts.at(-1) !== text) window.islandTexts.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });`);
    await page.goto(new URL("/", stack.appUrl).href);
    await waitForResolved(page);
    assertEquals(await page.evaluate("window.islandTexts"), [ADA_ISLAND]);
    assertEquals(await text(page, "#script-user"), "Script: ada@example.com");
    assertEquals(stateRequests, []);
  },
  example,
);

browserTest(
  "S65 a prerendered page: nothing shown until known, one state request, then the right branch",
  async (page, stack) => {
    const stateRequests = countStateRequests(page);
    const hold: { request?: HTTPRequest } = {};
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/auth/state") hold.request = request;
      else void request.continue();
    });
    const about = new URL("/about", stack.appUrl).href;
    for (const who of ["signed out", "Ada"]) {
      hold.request = undefined;
      if (who === "Ada") await signInAsAda(page, stack);
      stateRequests.length = 0;
      await page.goto(about);
      for (let i = 0; i < 400 && !hold.request; i++) await new Promise((r) => setTimeout(r, 25));
      const held = hold.request as HTTPRequest | undefined;
      assert(held, "the page asked for the state");
      // Still unknown: neither branch, no user.
      assertEquals(await visible(page, "#static-signed-in"), false);
      assertEquals(await visible(page, "#static-signed-out"), false);
      assertEquals(await visible(page, "#static-admin"), false);
      assertEquals(await visible(page, "#static-not-admin"), false);
      assertEquals(await text(page, "#island-user"), "Checking who you are…");
      await held.continue();
      await waitForResolved(page);
      assertEquals(await visible(page, "#static-signed-in"), who === "Ada", who);
      assertEquals(await visible(page, "#static-signed-out"), who !== "Ada", who);
      // <Protect role="admin">: Ada is an admin of her current organization.
      assertEquals(await visible(page, "#static-admin"), who === "Ada", who);
      assertEquals(await visible(page, "#static-not-admin"), who !== "Ada", who);
      assertEquals(
        stateRequests.length,
        1,
        `${who}: one request for the island, script and components`,
      );
    }
    assertEquals(await text(page, "#island-user"), ADA_ISLAND);
    assertEquals(await text(page, "#script-user"), "Script: ada@example.com");
    const userButton = "authkit-when .authkit-user";
    assertEquals(await text(page, `${userButton} .name`), "Ada Lovelace");
    assertEquals(await text(page, `${userButton} .email`), "ada@example.com");
    assertEquals(await text(page, `${userButton} [data-authkit-field="initials"]`), "AL");
    assertEquals(
      await page.$$eval(".authkit-organizations li", (rows) => rows.map((row) => row.textContent)),
      ["Analytical Engines LtdadminCurrent", "Difference Engine SocietymemberSwitch"],
    );
    await saveScreenshot(page, "minimal-about-signed-in");
  },
  example,
);

browserTest(
  "a server island (server:defer) shows the signed-in user on the prerendered page",
  async (page, stack) => {
    await page.goto(new URL("/about", stack.appUrl).href);
    await page.waitForFunction(
      `!document.querySelector("#island").textContent.includes("Loading")`,
    );
    assertEquals(await page.$("#island .authkit-user"), null, "signed out: the island is empty");
    await signInAsAda(page, stack);
    await page.goto(new URL("/about", stack.appUrl).href);
    await page.waitForSelector("#island .authkit-user .name");
    assertEquals(await text(page, "#island .authkit-user .name"), "Ada Lovelace");
  },
  example,
);

browserTest(
  "<ClientRouter />: $auth and the island agree with the server after navigation, an organization switch and sign-out",
  async (page, stack) => {
    await signInAsAda(page, stack);
    await page.goto(new URL("/", stack.appUrl).href);
    await waitForResolved(page);
    await page.evaluate("window.sameDocument = true");
    const serverState = () =>
      page.evaluate(`fetch("/auth/state").then((response) => response.json()).then(({ auth }) =>
      auth && auth.user.email + " in " + auth.organizationName)`);

    // A router navigation to the prerendered page: no full load, and the state asked again.
    await navigateWithRouter(page, "/about");
    await page.waitForSelector("#static-signed-in", { visible: true });
    assertEquals(await page.evaluate("window.sameDocument"), true, "a router navigation");
    assertEquals(await text(page, "#island-user"), ADA_ISLAND);
    assertEquals(await text(page, "#script-user"), "Script: ada@example.com");

    // Switch organization from the prerendered switcher: the form reloads the page.
    await page.click(`#switch-${DIFFERENCE}`);
    await page.waitForFunction(
      `window.sameDocument === undefined && location.pathname === "/about/"`,
    );
    await waitForResolved(page);
    const afterSwitch = "Island: ada@example.com in Difference Engine Society.";
    assertEquals(await text(page, "#island-user"), afterSwitch);
    assertEquals(await serverState(), "ada@example.com in Difference Engine Society");
    assertEquals(await visible(page, "#static-admin"), false, "a member there: <Protect> says no");
    assertEquals(await visible(page, "#static-not-admin"), true);

    // Back to the server-rendered home page through the router: its <AuthState /> agrees.
    await page.evaluate("window.sameDocument = true");
    await navigateWithRouter(page, "/");
    await waitForResolved(page);
    assertEquals(await page.evaluate("window.sameDocument"), true, "a router navigation");
    assertEquals(await text(page, "#island-user"), afterSwitch);

    // Sign out: the form leaves for WorkOS's logout URL (data-astro-reload) and comes back.
    await Promise.all([page.waitForNavigation(), page.click(".authkit-sign-out button")]);
    await page.waitForFunction(`location.pathname === "/"`);
    await waitForResolved(page);
    assertEquals(await text(page, "#island-user"), "Island: signed out.");
    assertEquals(await text(page, "#script-user"), "Script: signed out");
    assertEquals(await serverState(), null);
    assert(await page.$("a.authkit-sign-in"), "the server renders the signed-out branch");
  },
  example,
);

browserTest(
  "S66 a hostile name stays text on the server-rendered and the prerendered page",
  async (page, stack) => {
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInAsAda(page, stack);
    for (const path of ["/", "/about"]) {
      await page.goto(new URL(path, stack.appUrl).href);
      await waitForResolved(page);
      assertEquals(await text(page, "#island-user"), ADA_ISLAND, path);
      // On "/" the server renders the name; on "/about" the browser fills it in from $auth, and
      // the server island's is rendered for the request.
      if (path === "/about") await page.waitForSelector("#island .authkit-user");
      const names = await page.$$eval(
        ".authkit-user .name",
        (found) => found.map((n) => n.textContent),
      );
      assertEquals(names, path === "/" ? [HOSTILE_NAME] : [HOSTILE_NAME, HOSTILE_NAME], path);
    }
    assertEquals(dialogs, []);
  },
  { ...example, seed: await hostileSeed() },
);

async function hostileSeed() {
  const seed = await loadSeed();
  seed.users = seed.users.map((user) =>
    user.id === ADA
      ? { ...user, firstName: "</script><script>alert(1)</script>", lastName: "<!--" }
      : user
  );
  return seed;
}
