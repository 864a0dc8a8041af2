/**
 * Headless Chromium (Debian's package) driven by puppeteer-core, against the built server and
 * the local AuthKit stand-in. Screenshots go to `screenshots/` (git-ignored).
 *
 * @module
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { type Stack, type StackOptions, startStack } from "./stack.ts";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
/** Where browser tests leave screenshots for a person to look at. */
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
