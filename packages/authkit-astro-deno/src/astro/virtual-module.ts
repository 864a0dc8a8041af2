/**
 * How a value that exists only in the Astro config (the options given to `authkit()`, the app's
 * hooks module) reaches the package's runtime code, in `astro dev` and in the build: a Vite plugin
 * serves a generated module under a virtual name and prepends an import of it to one of the
 * package's own modules, so it has run before that module's code does. Nothing imports the
 * virtual name directly: it resolves only inside Vite.
 *
 * @module
 */
import { packageModulePath } from "./package-files.ts";

/** What one generated module needs. */
export interface VirtualModule {
  /** The Vite plugin's name. */
  name: string;
  /** The virtual module's name, `virtual:authkit-deno/…`. */
  id: string;
  /** Its code. */
  code: () => string;
  /** The package module (written `./x.ts`, beside this one) that imports it first; null: none. */
  into: string | null;
}

/** The Vite plugin that serves `module` and prepends an import of it to `module.into`. */
export function virtualModulePlugin({ name, id, code, into }: VirtualModule) {
  const resolvedId = `\0${id}`;
  const target = into === null ? null : realPath(packageModulePath(into, import.meta.url));
  return {
    name,
    enforce: "pre" as const,
    resolveId: (source: string) => (source === id ? resolvedId : null),
    load: (source: string) => (source === resolvedId ? code() : null),
    transform(source: string, file: string) {
      if (target === null || !isModule(file, target)) return null;
      return { code: `import ${JSON.stringify(id)};\n${source}`, map: null };
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
