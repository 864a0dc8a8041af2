/**
 * How the options given to `authkit()` reach runtime code, in `astro dev` and in the build:
 * `virtual:authkit-deno/options` sets the process-wide options (`installed-options.ts`), and is
 * imported first by `installed-options.ts` itself, so the value is set before anything can read
 * it (`virtual-module.ts`).
 *
 * @module
 */
import { OPTIONS_GLOBAL } from "./installed-options.ts";
import type { ResolvedOptions } from "./options.ts";
import { virtualModulePlugin } from "./virtual-module.ts";

/** The generated module's name. */
export const OPTIONS_MODULE = "virtual:authkit-deno/options";

/** The generated module's code: the options, frozen, on the global `installedOptions()` reads. */
export function optionsModuleCode(options: ResolvedOptions): string {
  const key = JSON.stringify(OPTIONS_GLOBAL);
  return `globalThis[Symbol.for(${key})] = Object.freeze(${JSON.stringify(options)});\n`;
}

/** The Vite plugin that installs `options` for the runtime code. */
export function optionsModule(options: ResolvedOptions) {
  return virtualModulePlugin({
    name: "authkit-deno:options",
    id: OPTIONS_MODULE,
    code: () => optionsModuleCode(options),
    into: "./installed-options.ts",
  });
}
