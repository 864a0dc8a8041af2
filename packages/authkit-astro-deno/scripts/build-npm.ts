/**
 * Builds what npm users get, into `dist/`: every TypeScript module of `src/` as JavaScript plus a
 * `.d.ts` beside it, the `.astro` components as source, and the stand-in's seed. `package.json`'s
 * `exports` point here. Run by `deno task build:npm`, by the `prepack` script (so `npm pack` and
 * `npm publish` always ship a fresh build), and by the repository's build tasks (the apps in this
 * repository resolve the package through `node_modules`, as an outside app does).
 *
 * Why: Deno does not strip types under `node_modules` (`ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING`)
 * and Node strips none of a package's, so an npm package that ships only TypeScript works inside
 * Vite and nowhere else. JSR keeps taking the TypeScript (`deno.json`).
 *
 * The layout of `dist/` is the layout of `src/`, so the integration finds its middleware and
 * routes by the same relative paths (`src/astro/package-files.ts`).
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const TYPESCRIPT = "npm:typescript@5.9.3/tsc";
const PACKAGE = fromFileUrl(new URL("../", import.meta.url));
const SRC = join(PACKAGE, "src");
const DIST = join(PACKAGE, "dist");
/** Files copied as they are, but for `.ts` in relative import specifiers (now `.js`). */
const COPIED = [/\.astro$/, /\.d\.ts$/, /\.json$/];
/** Entries tsc cannot compile: re-exports of `.astro` files, copied as JavaScript and types. */
const ASTRO_REEXPORTS = ["components/index.ts"];

/**
 * The Node built-ins `src/` imports, declared as far as it uses them (Deno ships the rest), and
 * Astro's `astro:actions`.
 */
const NODE_BUILTINS = `
declare module "node:url" {
  export function fileURLToPath(url: string | URL): string;
}
// Astro's virtual module, as deno.json maps it for deno check; Vite resolves it in the app.
declare module "astro:actions" {
  export * from "astro/actions/runtime/entrypoints/server.js";
}
declare module "node:util" {
  // deno check types the values from the options given; here they are only compiled.
  export function parseArgs(config: object): { values: Record<string, any> };
}
`;

/** Where the build records the digest of the `src/` it was made from. */
const STAMP = join(DIST, ".source-digest");

if (import.meta.main) {
  const built = await buildNpm({ force: Deno.args.includes("--force") });
  // On stderr: `npm pack --json` prints its report on stdout, after this.
  console.error(built ? "dist/ built." : "dist/ is up to date with src/.");
}

/**
 * Writes `dist/` afresh unless it was built from this very `src/` (a digest of every file), so
 * the repository's build tasks can run it every time; throws on any compiler error.
 */
export async function buildNpm(options: { force?: boolean } = {}): Promise<boolean> {
  const digest = await digestSources();
  if (!options.force && await Deno.readTextFile(STAMP).catch(() => "") === digest) return false;
  await Deno.remove(DIST, { recursive: true }).catch(() => {});
  // Inside the package, so bare imports in the declarations below resolve through node_modules.
  const work = await Deno.makeTempDir({ dir: PACKAGE, prefix: ".npm-build-" });
  try {
    await compile(work);
    for await (const file of walk(DIST)) {
      if (file.endsWith(".d.ts")) {
        await Deno.writeTextFile(file, rewriteImports(await Deno.readTextFile(file)));
      }
    }
    for await (const file of walk(SRC)) {
      const path = relative(SRC, file);
      if (ASTRO_REEXPORTS.includes(path)) {
        const text = await Deno.readTextFile(file);
        await write(path.replace(/\.ts$/, ".js"), text);
        await write(path.replace(/\.ts$/, ".d.ts"), text);
      } else if (COPIED.some((pattern) => pattern.test(path))) {
        await write(path, rewriteImports(await Deno.readTextFile(file)));
      }
    }
    await Deno.writeTextFile(STAMP, digest);
    return true;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** SHA-256 over every file of `src/` (path and bytes) and this script. */
async function digestSources(): Promise<string> {
  const files = [fromFileUrl(import.meta.url)];
  for await (const file of walk(SRC)) files.push(file);
  const parts: Uint8Array[] = [];
  for (const file of files.sort()) {
    parts.push(new TextEncoder().encode(`${relative(PACKAGE, file)}\0`), await Deno.readFile(file));
  }
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((offset, part) => (bytes.set(part, offset), offset + part.length), 0);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `./x.ts` → `./x.js` in relative specifiers (imports, `import()` types), as tsc does in code. */
export function rewriteImports(text: string): string {
  return text.replace(/(["'])(\.{1,2}\/[^"'\n]*?)(?<!\.d)\.ts\1/g, "$1$2.js$1");
}

/** tsc over `src/` with Deno's own declarations, so `Deno.*` types check as `deno check` does. */
async function compile(work: string): Promise<void> {
  const denoTypes = join(work, "deno.d.ts");
  await Deno.writeTextFile(denoTypes, await denoDeclarations() + NODE_BUILTINS);
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      allowImportingTsExtensions: true,
      rewriteRelativeImportExtensions: true,
      resolveJsonModule: true,
      declaration: true,
      strict: true,
      skipLibCheck: true,
      noEmitOnError: true,
      // Timers and a few web types that `deno types` leaves to Deno's window lib.
      lib: ["ESNext", "DOM", "DOM.Iterable"],
      types: [],
      rootDir: SRC,
      outDir: DIST,
      newLine: "lf",
    },
    files: [denoTypes, join(SRC, "astro/locals.d.ts")],
    include: [join(SRC, "**/*.ts")],
    exclude: ASTRO_REEXPORTS.map((path) => join(SRC, path)),
  };
  const tsconfig = join(work, "tsconfig.json");
  await Deno.writeTextFile(tsconfig, JSON.stringify(config));
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-config", TYPESCRIPT, "--project", tsconfig],
    cwd: PACKAGE,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error("tsc failed: dist/ was not written");
}

/**
 * `deno types`, without its `/// <reference lib="deno.*" />` lines: tsc knows no such libs, and
 * the output already holds their declarations.
 */
async function denoDeclarations(): Promise<string> {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), { args: ["types"] })
    .output();
  if (!success) throw new Error("deno types failed");
  return new TextDecoder().decode(stdout)
    .replace(/^\/\/\/ <reference (no-default-lib|lib)=.*$/gm, "");
}

async function write(path: string, text: string): Promise<void> {
  const target = join(DIST, path);
  await Deno.mkdir(dirname(target), { recursive: true });
  await Deno.writeTextFile(target, text);
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}
