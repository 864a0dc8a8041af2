/**
 * How the app's hooks module (the `hooks` option, S70) reaches runtime code: the options are JSON,
 * functions are not, so the module itself is bundled. A Vite plugin serves
 * `virtual:authkit-deno/hooks`, which imports the app's module and puts it on a process-wide
 * global (`installedHooks()` reads it), and prepends an import of it to `runtime.ts`, which builds
 * the auth layer. Prepended there, not to `installed-options.ts`: a hooks module may itself import
 * `@authkit-deno/astro/server`, and that circle must not reach code that runs at import time.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { HOOKS_GLOBAL } from "./installed-options.ts";
import { packageModulePath } from "./package-files.ts";

/** The generated module's name. */
export const HOOKS_MODULE = "virtual:authkit-deno/hooks";
const RESOLVED_ID = `\0${HOOKS_MODULE}`;

/** The generated module's code: the app's hooks on the global, or nothing without a module. */
export function hooksModuleCode(path: string | null): string {
  if (path === null) return "export {};\n";
  return `import * as hooks from ${JSON.stringify(path)};\n` +
    `globalThis[Symbol.for(${JSON.stringify(HOOKS_GLOBAL)})] = hooks;\n`;
}

/** The Vite plugin that installs the app's hooks module at `path` (null: none). */
export function hooksModule(path: string | null) {
  const target = realPath(packageModulePath("./runtime.ts", import.meta.url));
  return {
    name: "authkit-deno:hooks",
    enforce: "pre" as const,
    resolveId: (id: string) => (id === HOOKS_MODULE ? RESOLVED_ID : null),
    load: (id: string) => (id === RESOLVED_ID ? hooksModuleCode(path) : null),
    transform(code: string, id: string) {
      const file = id.split("?")[0];
      if (path === null || !file.endsWith(target.slice(target.lastIndexOf("/")))) return null;
      // Vite's ids are real paths; the package may have been loaded through a symlink.
      if (file !== target && realPath(file) !== target) return null;
      return { code: `import ${JSON.stringify(HOOKS_MODULE)};\n${code}`, map: null };
    },
  };
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

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}
