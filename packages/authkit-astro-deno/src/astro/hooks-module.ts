/**
 * How the app's hooks module (the `hooks` option, S70) reaches runtime code: the options are JSON,
 * functions are not, so the module itself is bundled. `virtual:authkit-deno/hooks` imports the
 * app's module and puts it on a process-wide global (`installedHooks()` reads it), and
 * `runtime.ts`, which builds the auth layer, imports it first (`virtual-module.ts`). There, not in
 * `installed-options.ts`: a hooks module may itself import `@authkit-deno/astro/server`, and that
 * circle must not reach code that runs at import time.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { HOOKS_GLOBAL } from "./installed-options.ts";
import { virtualModulePlugin } from "./virtual-module.ts";

/** The generated module's name. */
export const HOOKS_MODULE = "virtual:authkit-deno/hooks";

/** The generated module's code: the app's hooks on the global, or nothing without a module. */
export function hooksModuleCode(path: string | null): string {
  if (path === null) return "export {};\n";
  return `import * as hooks from ${JSON.stringify(path)};\n` +
    `globalThis[Symbol.for(${JSON.stringify(HOOKS_GLOBAL)})] = hooks;\n`;
}

/** The Vite plugin that installs the app's hooks module at `path` (null: none). */
export function hooksModule(path: string | null) {
  return virtualModulePlugin({
    name: "authkit-deno:hooks",
    id: HOOKS_MODULE,
    code: () => hooksModuleCode(path),
    into: path === null ? null : "./runtime.ts",
  });
}

/**
 * The app's hooks module as a file path, resolved against the project's root; a missing file stops
 * `astro dev`/`astro build` with its name, instead of sign-ins that silently skip the hooks.
 */
export function findHooksModule(hooks: string, root: URL): string {
  const path = fileURLToPath(new URL(hooks, root));
  try {
    if (Deno.statSync(path).isFile) return path;
  } catch {
    // reported below
  }
  throw new Error(`authkit(): the hooks module ${JSON.stringify(hooks)} was not found (${path})`);
}
