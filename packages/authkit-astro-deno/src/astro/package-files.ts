/**
 * Paths to the package's own modules, for Astro and Vite (middleware and route entry points, the
 * adapter extension's imports). The same code runs from the TypeScript source (this repository,
 * JSR) and from the JavaScript that npm users get (`scripts/build-npm.ts` writes `dist/` with the
 * source's layout, each `.ts` module as `.js`): a path is named as in the source and takes the
 * running module's extension.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The package module at `path` (written with `.ts`) relative to the module at `from`. */
export function packageModule(path: string, from: string): URL {
  const extension = new URL(from).pathname.endsWith(".ts") ? ".ts" : ".js";
  // Declaration files (`.d.ts`) keep their name in both layouts.
  return new URL(path.replace(/(?<!\.d)\.ts$/, extension), from);
}

/** The same, as a file path, the form Vite ids take. */
export function packageModulePath(path: string, from: string): string {
  return fileURLToPath(packageModule(path, from));
}
