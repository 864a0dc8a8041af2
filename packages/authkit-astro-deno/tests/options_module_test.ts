/**
 * How `authkit()`'s options reach runtime code: the generated module sets them, and the Vite
 * plugin makes `installed-options.ts` import it first. Built apps check the outcome end to end
 * (`tests/example_minimal_test.ts` protects `/account` only through the options) and so does the
 * dev server (`tests/dev_server_test.ts`).
 */
import { assert, assertEquals } from "@std/assert";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_OPTIONS,
  installedOptions,
  OPTIONS_GLOBAL,
} from "../src/astro/installed-options.ts";
import { OPTIONS_MODULE, optionsModule, optionsModuleCode } from "../src/astro/options-module.ts";
import { resolveOptions } from "../src/astro/options.ts";
import { packageModule } from "../src/astro/package-files.ts";

const INSTALLED = fileURLToPath(new URL("../src/astro/installed-options.ts", import.meta.url));
const { paths: _, ...OPTIONS } = resolveOptions({
  protectedRoutes: ["/account"],
  afterSignInPath: "/account",
  organizations: false,
});

Deno.test("installedOptions() is authkit()'s defaults outside Vite", () => {
  assertEquals(installedOptions(), DEFAULT_OPTIONS);
  assertEquals(DEFAULT_OPTIONS, (({ paths: _, ...rest }) => rest)(resolveOptions()));
});

Deno.test("the generated module installs the options, frozen, for installedOptions()", () => {
  const key = Symbol.for(OPTIONS_GLOBAL);
  try {
    new Function(optionsModuleCode(OPTIONS))();
    assertEquals(installedOptions(), OPTIONS);
    assert(Object.isFrozen(installedOptions()));
  } finally {
    delete (globalThis as Record<symbol, unknown>)[key];
  }
  assertEquals(installedOptions(), DEFAULT_OPTIONS);
});

Deno.test("the Vite plugin serves the virtual module and prepends it to installed-options only", async () => {
  const plugin = optionsModule(OPTIONS);
  const id = plugin.resolveId(OPTIONS_MODULE);
  assertEquals(id, `\0${OPTIONS_MODULE}`);
  assertEquals(plugin.resolveId("virtual:other"), null);
  assertEquals(plugin.load(id!), optionsModuleCode(OPTIONS));
  const code = await Deno.readTextFile(INSTALLED);
  for (const seen of [INSTALLED, `${INSTALLED}?v=123`]) {
    const out = plugin.transform(code, seen);
    assertEquals(out?.code.split("\n")[0], `import "${OPTIONS_MODULE}";`, seen);
  }
  const elsewhere = fileURLToPath(new URL("../src/astro/runtime.ts", import.meta.url));
  assertEquals(plugin.transform(code, elsewhere), null);
  assertEquals(plugin.transform(code, "/app/src/astro/installed-options.ts"), null);
});

Deno.test("the Vite plugin finds installed-options through a symlinked node_modules path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const link = `${dir}/linked`;
    await Deno.symlink(fileURLToPath(new URL("../", import.meta.url)), link);
    // Vite gives real paths; the integration may have been loaded through the link.
    const plugin = optionsModule(OPTIONS);
    assert(plugin.transform("", `${link}/src/astro/installed-options.ts`) !== null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("packageModule() keeps the running module's extension, and .d.ts names", () => {
  const fromTs = "file:///pkg/src/astro/integration.ts";
  const fromJs = "file:///pkg/dist/astro/integration.js";
  assertEquals(
    packageModule("./middleware.ts", fromTs).href,
    "file:///pkg/src/astro/middleware.ts",
  );
  assertEquals(
    packageModule("./middleware.ts", fromJs).href,
    "file:///pkg/dist/astro/middleware.js",
  );
  assertEquals(packageModule("./locals.d.ts", fromJs).href, "file:///pkg/dist/astro/locals.d.ts");
  assertEquals(
    packageModule("../server/startup.ts", fromJs).href,
    "file:///pkg/dist/server/startup.js",
  );
});
