/**
 * Headless Chromium (Debian's package) for the browser tests, driven by puppeteer-core, and an
 * accessibility check with axe-core (npm) run inside the page.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { type Stack, type StackOptions, startStack } from "./stack.ts";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
/** Where the browser tests leave screenshots for a person to look at (git-ignored). */
export const SCREENSHOTS = new URL("../../screenshots/", import.meta.url);

// On a machine without Chromium, `deno task test` reports these as ignored; CI installs it
// (`.ci/run`) and never ignores them.
const ignore = !Deno.env.get("CI") && !(await isFile(CHROMIUM));
if (ignore) {
  console.warn(`browser tests ignored: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** A fresh Chromium with its own profile directory, removed on dispose. */
export async function launchChromium(): Promise<AsyncDisposable & { browser: Browser }> {
  const userDataDir = await Deno.makeTempDir({ prefix: "chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      // The machine has no outside network: stop Chromium's own background calls.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await Deno.remove(userDataDir, { recursive: true });
    },
  };
}

/** A browser test: the built app and stand-in, and a fresh Chromium page, for each test. */
export function browserTest(
  name: string,
  fn: (page: Page, stack: Stack, browser: Browser) => Promise<void>,
  options: StackOptions = {},
): void {
  Deno.test({
    name: `browser: ${name}`,
    ignore,
    // puppeteer keeps its websocket and child process bookkeeping across awaits.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using stack = await startStack(options);
      await using chromium = await launchChromium();
      const page = await chromium.browser.newPage();
      await page.setViewport({ width: 1000, height: 700 });
      await fn(page, stack, chromium.browser);
    },
  });
}

/** Saves a screenshot of `page` as `screenshots/<name>.png`. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });
}

/** One WCAG violation as axe-core reports it, with the elements it found. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = await Deno.readTextFile(fileURLToPath(import.meta.resolve("axe-core")));

/**
 * Runs axe-core over the page as it is now, for the WCAG 2.0/2.1 A and AA rules, and returns
 * every violation (an empty list is a pass).
 */
export async function findAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  const violations = await page.evaluate(`axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }).then((result) => result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((node) => node.target.join(" ")),
  })))`);
  return violations as AxeViolation[];
}
