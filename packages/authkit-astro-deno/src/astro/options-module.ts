/**
 * How the options given to `authkit()` reach runtime code, in `astro dev` and in the build: a
 * Vite plugin serves `virtual:authkit-deno/options`, a module that sets the process-wide options
 * (`installed-options.ts`), and prepends an import of it to `installed-options.ts` itself, so
 * the value is set before anything can read it. Nothing in the package imports the virtual name
 * directly: it would resolve only inside Vite (see `installed-options.ts`).
 *
 * @module
 */
import { OPTIONS_GLOBAL } from "./installed-options.ts";
import type { ResolvedOptions } from "./options.ts";
import { packageModulePath } from "./package-files.ts";

/** The generated module's name. */
export const OPTIONS_MODULE = "virtual:authkit-deno/options";
const RESOLVED_ID = `\0${OPTIONS_MODULE}`;

/** The generated module's code: the options, frozen, on the global `installedOptions()` reads. */
export function optionsModuleCode(options: ResolvedOptions): string {
  const key = JSON.stringify(OPTIONS_GLOBAL);
  return `globalThis[Symbol.for(${key})] = Object.freeze(${JSON.stringify(options)});\n`;
}

/** The Vite plugin that installs `options` for the runtime code. */
export function optionsModule(options: ResolvedOptions) {
  const target = realPath(packageModulePath("./installed-options.ts", import.meta.url));
  return {
    name: "authkit-deno:options",
    enforce: "pre" as const,
    resolveId: (id: string) => (id === OPTIONS_MODULE ? RESOLVED_ID : null),
    load: (id: string) => (id === RESOLVED_ID ? optionsModuleCode(options) : null),
    transform(code: string, id: string) {
      if (!isModule(id, target)) return null;
      return { code: `import ${JSON.stringify(OPTIONS_MODULE)};\n${code}`, map: null };
    },
  };
}

/** Whether the Vite id `id` (maybe with a query) names the file `target`. */
function isModule(id: string, target: string): boolean {
  const file = id.split("?")[0];
  if (file.startsWith("\0") || !file.endsWith(target.slice(target.lastIndexOf("/")))) return false;
  // Vite's ids are real paths; this module may have been loaded through a symlink (node_modules).
  return file === target || realPath(file) === target;
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}
